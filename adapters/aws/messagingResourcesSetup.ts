import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import type { MessagingResources, SqsQueueResource } from './messagingResources';

/** The clients {@link createMessagingResources} creates with. */
export interface MessagingClients {
  sns: SNSClient;
  sqs: SQSClient;
}

/** Where the created queues answer: the URLs CreateQueue returned (an endpoint override such as moto's differs from AWS's). */
export interface CreatedQueueUrls {
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/**
 * Creates the declared topics, queues and subscriptions (dead-letter queue first, then its
 * source queue, then the topic and its raw-delivery subscriptions). Idempotent, as CreateTopic,
 * CreateQueue and Subscribe are with unchanged attributes. For tests and `npm run engines`; a
 * deployment creates the same resources from the same definition through CloudFormation.
 * Throws when the service names a resource differently than declared (a wrong account or region
 * in the naming), since the redrive and queue policies would then point elsewhere.
 */
export async function createMessagingResources(clients: MessagingClients, resources: MessagingResources): Promise<Readonly<Record<string, CreatedQueueUrls>>> {
  const urls: Record<string, CreatedQueueUrls> = {};
  for (const topic of resources.topics) {
    for (const subscriber of topic.subscribers) {
      const deadLetterQueueUrl = await createQueue(clients.sqs, subscriber.deadLetterQueue);
      const queueUrl = await createQueue(clients.sqs, subscriber.queue);
      urls[subscriber.name] = { queueUrl, deadLetterQueueUrl };
    }
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: topic.topicName, Attributes: { ...topic.attributes } }));
    if (TopicArn !== topic.topicArn) throw new Error(`topic ${topic.topicName} was created as ${String(TopicArn)}, not ${topic.topicArn}: check the naming's account and region`);
    for (const subscriber of topic.subscribers) {
      await clients.sns.send(
        new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: subscriber.queue.queueArn, Attributes: { ...subscriber.subscriptionAttributes }, ReturnSubscriptionArn: true }),
      );
    }
  }
  return urls;
}

/** Deletes the declared topics (their subscriptions go with them) and queues; for tests that clean up after themselves. */
export async function deleteMessagingResources(clients: MessagingClients, resources: MessagingResources, urls: Readonly<Record<string, CreatedQueueUrls>>): Promise<void> {
  for (const topic of resources.topics) await clients.sns.send(new DeleteTopicCommand({ TopicArn: topic.topicArn }));
  for (const { queueUrl, deadLetterQueueUrl } of Object.values(urls)) {
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: deadLetterQueueUrl }));
  }
}

async function createQueue(sqs: SQSClient, queue: SqsQueueResource): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue.queueName, Attributes: { ...queue.attributes } }));
  if (!QueueUrl) throw new Error(`CreateQueue ${queue.queueName} answered without a QueueUrl`);
  return QueueUrl;
}
