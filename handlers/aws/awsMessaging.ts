import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { messagingResources } from '../../adapters/aws/messagingResources';
import type { MessagingResources } from '../../adapters/aws/messagingResources';
import { SnsTopicPublisher } from '../../adapters/aws/SnsTopicPublisher';
import { SqsSubscriberQueue } from '../../adapters/aws/SqsSubscriberQueue';
import { NexusError } from '../../core/errors/NexusError';
import type { SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import type { TopicPublisher } from '../../core/messaging/Topic';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';
import { AWS_RESOURCE_UNAVAILABLE } from './awsPreflight';

/** The non-critical path on SNS -> SQS: the router's topics and the subscriber queues. */
export interface AwsMessaging {
  topics: TopicPublisher;
  /** The declared subscriber queue `name` (throws MESSAGING_UNKNOWN_QUEUE for an undeclared one). */
  queueFor(name: string): SubscriberQueue;
}

/**
 * The declared topics on SNS and their subscriber queues on SQS, named `nexus-<stage>-<name>` as
 * `messagingResources` derives them (the same definition `npm run engines` creates them from).
 * Queue URLs are asked of SQS (GetQueueUrl), since an endpoint override answers with its own;
 * a missing queue is one AWS_RESOURCE_UNAVAILABLE error naming it.
 */
export async function openAwsMessaging(clients: AwsClients, config: AwsBackendConfig & { accountId: string }, topics: readonly TopicDeclaration[]): Promise<AwsMessaging> {
  const resources = await awsMessagingResources(clients, config, topics);
  const queues = new Map<string, SubscriberQueue>();
  for (const topic of resources.topics) {
    for (const subscriber of topic.subscribers) {
      const [queueUrl, deadLetterQueueUrl] = await Promise.all([queueUrlOf(clients, subscriber.queue.queueName), queueUrlOf(clients, subscriber.deadLetterQueue.queueName)]);
      queues.set(subscriber.name, new SqsSubscriberQueue({ client: clients.sqs, name: subscriber.name, queueUrl, deadLetterQueueUrl, settings: subscriber.subscription }));
    }
  }
  return {
    topics: awsTopicPublisher(clients, resources),
    queueFor: (name) => {
      const queue = queues.get(name);
      if (queue) return queue;
      // Every declared queue is in the map: this throws MESSAGING_UNKNOWN_QUEUE naming it.
      resources.queue(name);
      throw new TypeError(`queue ${name} is declared but was not opened`);
    },
  };
}

/** The declared topics and queues of the stage, named and addressed (ARNs) as deployed. */
export async function awsMessagingResources(clients: AwsClients, config: AwsBackendConfig & { accountId: string }, topics: readonly TopicDeclaration[]): Promise<MessagingResources> {
  const region = config.region ?? (await clients.sns.config.region());
  return messagingResources(topics, { prefix: `nexus-${config.stage}-`, region, accountId: config.accountId });
}

/** The router's topics on SNS: needs only the topics' ARNs (no call to SQS), as on Lambda. */
export function awsTopicPublisher(clients: AwsClients, resources: MessagingResources): TopicPublisher {
  return new SnsTopicPublisher({ client: clients.sns, topicArns: resources.topicArns });
}

async function queueUrlOf(clients: AwsClients, queueName: string): Promise<string> {
  try {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (QueueUrl) return QueueUrl;
    throw new Error('GetQueueUrl answered without a QueueUrl');
  } catch (error) {
    throw new NexusError(AWS_RESOURCE_UNAVAILABLE, `SQS queue ${queueName} is not there (${(error as Error).name}); its name comes from --stage and the declared topics (pipelines/routing.ts); check --aws-account-id, the endpoint and the region`, { cause: error });
  }
}
