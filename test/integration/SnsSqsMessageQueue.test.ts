import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { messagingResources } from '../../adapters/aws/messagingResources';
import type { MessagingResources } from '../../adapters/aws/messagingResources';
import { createMessagingResources, deleteMessagingResources } from '../../adapters/aws/messagingResourcesSetup';
import type { CreatedQueueUrls } from '../../adapters/aws/messagingResourcesSetup';
import { SnsTopicPublisher } from '../../adapters/aws/SnsTopicPublisher';
import { SqsSubscriberQueue } from '../../adapters/aws/SqsSubscriberQueue';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { describeMessageQueueContract } from '../contract/messageQueueContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

/** moto's account: the declared ARNs must be the ones it creates. */
export const MOTO_ACCOUNT = '123456789012';

/** A topology on moto: its resources created under a unique prefix, adapters over them. */
export interface SnsSqsMessaging {
  resources: MessagingResources;
  urls: Readonly<Record<string, CreatedQueueUrls>>;
  topics: SnsTopicPublisher;
  queue(name: string): SqsSubscriberQueue;
  close(): Promise<void>;
}

/** Creates `topology` on moto (SNS topics, SQS queues with their DLQs, raw subscriptions) and the adapters over it. */
export async function snsSqsMessaging(topology: readonly TopicDeclaration[], clients = { sns: new SNSClient({ ...motoClientConfig(), maxAttempts: 1 }), sqs: new SQSClient({ ...motoClientConfig(), maxAttempts: 1 }) }, snsForPublisher?: SNSClient): Promise<SnsSqsMessaging> {
  const resources = messagingResources(topology, { prefix: `${uniqueName('m')}-`, region: 'us-east-1', accountId: MOTO_ACCOUNT });
  const urls = await createMessagingResources(clients, resources);
  const queues = new Map<string, SqsSubscriberQueue>();
  return {
    resources,
    urls,
    topics: new SnsTopicPublisher({ client: snsForPublisher ?? clients.sns, topicArns: resources.topicArns }),
    queue: (name) => {
      let queue = queues.get(name);
      if (!queue) {
        const created = urls[name];
        if (!created) throw new Error(`no queue ${name} in the topology`);
        queue = new SqsSubscriberQueue({ client: clients.sqs, name, ...created, settings: resources.queue(name).subscription, deadLetterHoldSeconds: 5 });
        queues.set(name, queue);
      }
      return queue;
    },
    close: async () => {
      await deleteMessagingResources(clients, resources, urls);
      clients.sns.destroy();
      clients.sqs.destroy();
    },
  };
}

// SQS counts visibility in whole seconds and on the wall clock: the suite runs with 1 s and waits for real.
describeMessageQueueContract(
  'SnsTopicPublisher + SqsSubscriberQueue on moto (SNS -> SQS, raw delivery)',
  async (topology) => ({
    ...(await snsSqsMessaging(topology)),
    elapse: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  }),
  { visibilityTimeoutMs: 1000 },
);
