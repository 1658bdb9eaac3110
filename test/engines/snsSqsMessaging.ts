import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { messagingResources } from '../../adapters/aws/messagingResources';
import type { MessagingResources } from '../../adapters/aws/messagingResources';
import { createMessagingResources, deleteMessagingResources } from '../../adapters/aws/messagingResourcesSetup';
import type { CreatedQueueUrls } from '../../adapters/aws/messagingResourcesSetup';
import { SnsTopicPublisher } from '../../adapters/aws/SnsTopicPublisher';
import type { SnsTopicPublisherOptions } from '../../adapters/aws/SnsTopicPublisher';
import { SqsSubscriberQueue } from '../../adapters/aws/SqsSubscriberQueue';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { motoClientConfig, uniqueName } from './awsTestClients';

/** moto's account: the declared ARNs must be the ones it creates. */
export const MOTO_ACCOUNT = '123456789012';

/** A topology on moto: its resources created under a unique prefix, the adapters over them, the raw clients beside. */
export interface SnsSqsMessaging {
  resources: MessagingResources;
  urls: Readonly<Record<string, CreatedQueueUrls>>;
  sns: SNSClient;
  sqs: SQSClient;
  topics: SnsTopicPublisher;
  queue(name: string): SqsSubscriberQueue;
  close(): Promise<void>;
}

/** What {@link snsSqsMessaging} may change. */
export interface SnsSqsMessagingOptions {
  /** Another SNS endpoint for the publisher (a fault proxy); resources are created on moto itself. */
  publisherEndpoint?: string;
  publisher?: Omit<SnsTopicPublisherOptions, 'client' | 'topicArns'>;
}

/** Creates `topology` on moto (SNS topics, SQS queues with their DLQs, raw-delivery subscriptions) and the adapters over it. */
export async function snsSqsMessaging(topology: readonly TopicDeclaration[], options: SnsSqsMessagingOptions = {}): Promise<SnsSqsMessaging> {
  const sns = new SNSClient({ ...motoClientConfig(), maxAttempts: 1 });
  const sqs = new SQSClient({ ...motoClientConfig(), maxAttempts: 1 });
  const publisherClient = options.publisherEndpoint ? new SNSClient({ ...motoClientConfig(), endpoint: options.publisherEndpoint, maxAttempts: 1 }) : sns;
  const resources = messagingResources(topology, { prefix: `${uniqueName('m')}-`, region: 'us-east-1', accountId: MOTO_ACCOUNT });
  const urls = await createMessagingResources({ sns, sqs }, resources);
  const queues = new Map<string, SqsSubscriberQueue>();
  return {
    resources,
    urls,
    sns,
    sqs,
    topics: new SnsTopicPublisher({ ...options.publisher, client: publisherClient, topicArns: resources.topicArns }),
    queue: (name) => {
      let queue = queues.get(name);
      if (!queue) {
        const created = urls[name];
        if (!created) throw new Error(`no queue ${name} in the topology`);
        queue = new SqsSubscriberQueue({ client: sqs, name, ...created, settings: resources.queue(name).subscription, deadLetterHoldSeconds: 5 });
        queues.set(name, queue);
      }
      return queue;
    },
    close: async () => {
      await deleteMessagingResources({ sns, sqs }, resources, urls);
      if (publisherClient !== sns) publisherClient.destroy();
      sns.destroy();
      sqs.destroy();
    },
  };
}
