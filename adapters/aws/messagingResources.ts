import { MessagingError, MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import { defineTopics, subscriptionsOf } from '../../core/messaging/Topic';
import type { ResolvedSubscription, TopicDeclaration } from '../../core/messaging/Topic';

/** Where the resources live and how their physical names are made. */
export interface MessagingNaming {
  /** Prepended to every topic and queue name (e.g. `nexus-prod-`), so stages never share a resource. */
  prefix: string;
  region: string;
  accountId: string;
  /** @defaultValue 'aws' */
  partition?: string;
}

/** Settings of the declared resources that are not part of a subscription. */
export interface MessagingResourceOptions {
  /** How long a source queue keeps a message. @defaultValue 345600 (4 days, SQS's default) */
  messageRetentionSeconds?: number;
  /**
   * How long a dead-letter queue keeps a message. Longer than the source's: on standard queues a
   * message's age counts from its first enqueue, not from its move. @defaultValue 1209600 (14 days, SQS's maximum)
   */
  deadLetterRetentionSeconds?: number;
}

/** Defaults of {@link MessagingResourceOptions}. */
export const MESSAGING_RESOURCE_DEFAULTS: Required<MessagingResourceOptions> = {
  messageRetentionSeconds: 345_600,
  deadLetterRetentionSeconds: 1_209_600,
};

/** One SQS queue: what CreateQueue needs, and the ARN and URL it will have. */
export interface SqsQueueResource {
  queueName: string;
  queueArn: string;
  /** The URL AWS gives it; an endpoint override (moto) answers CreateQueue with another. */
  queueUrl: string;
  /** CreateQueue `Attributes`, as SQS takes them (strings). */
  attributes: Readonly<Record<string, string>>;
}

/** A subscriber's queue, its dead-letter queue and its subscription to the topic. */
export interface SubscriberQueueResource {
  /** The Nexus queue name (the subscription's `queue`). */
  name: string;
  subscription: ResolvedSubscription;
  queue: SqsQueueResource;
  deadLetterQueue: SqsQueueResource;
  /** Subscribe `Attributes`: raw delivery and the filter policy. */
  subscriptionAttributes: Readonly<Record<string, string>>;
}

/** One SNS topic and its subscribers. */
export interface SnsTopicResource {
  /** The Nexus topic name. */
  name: string;
  topicName: string;
  topicArn: string;
  /** FIFO when any subscriber keeps order per key (SNS FIFO topics deliver to FIFO and standard queues; standard topics to standard queues only). */
  fifo: boolean;
  /** CreateTopic `Attributes`. */
  attributes: Readonly<Record<string, string>>;
  subscribers: readonly SubscriberQueueResource[];
}

/** Every AWS resource of the non-critical path, derived from the declared topics. */
export interface MessagingResources {
  topics: readonly SnsTopicResource[];
  /** Nexus topic name -> SNS topic ARN (the SnsTopicPublisher's `topicArns`). */
  topicArns: Readonly<Record<string, string>>;
  /** The resources of subscriber queue `name`; throws UNKNOWN_QUEUE when no topic declares it. */
  queue(name: string): SubscriberQueueResource;
}

/** SQS's limit on a queue name, `.fifo` included. */
const MAX_QUEUE_NAME = 80;

/**
 * The SNS topics and SQS queues of the non-critical path, as data: one topic per declared topic
 * (FIFO when a subscriber keeps order per key), and per subscriber a queue (visibility timeout
 * rounded up to whole seconds, RedrivePolicy with its maxReceiveCount, a policy letting only its
 * topic send to it) with a dead-letter queue, and a raw-delivery subscription filtered by the
 * declared filter. The test helper (`createMessagingResources`), `npm run engines` and the
 * serverless resources all read this one definition.
 *
 * SQS, not Nexus, moves a message to the dead-letter queue, on the receive after
 * `maxReceiveCount`; Nexus only declares the count. Throws INVALID_DECLARATION for a name
 * longer than SQS takes.
 *
 * @example
 * const resources = messagingResources(topics, { prefix: 'nexus-dev-', region: 'eu-west-1', accountId: '123456789012' });
 * resources.queue('order-notices').queue.attributes.RedrivePolicy; // {"deadLetterTargetArn":"arn:...:nexus-dev-order-notices-dlq.fifo","maxReceiveCount":5}
 */
export function messagingResources(topics: readonly TopicDeclaration[], naming: MessagingNaming, options: MessagingResourceOptions = {}): MessagingResources {
  const settings = { ...MESSAGING_RESOURCE_DEFAULTS, ...options };
  const subscriptions = subscriptionsOf(defineTopics(topics));
  const declared = topics.map((topic) => topicResource(topic.name, subscriptions.filter((subscription) => subscription.topic === topic.name), naming, settings));
  const byQueue = new Map(declared.flatMap((topic) => topic.subscribers.map((subscriber) => [subscriber.name, subscriber] as const)));
  return {
    topics: declared,
    topicArns: Object.fromEntries(declared.map((topic) => [topic.name, topic.topicArn])),
    queue: (name) => {
      const found = byQueue.get(name);
      if (!found) throw new MessagingError(MESSAGING_ERRORS.UNKNOWN_QUEUE, `no topic declares a subscriber queue "${name}"`, { details: { queue: name } });
      return found;
    },
  };
}

function topicResource(name: string, subscriptions: readonly ResolvedSubscription[], naming: MessagingNaming, settings: Required<MessagingResourceOptions>): SnsTopicResource {
  const fifo = subscriptions.some((subscription) => subscription.ordering === 'per-key');
  const topicName = `${naming.prefix}${name}${fifo ? '.fifo' : ''}`;
  const topicArn = arn('sns', naming, topicName);
  return {
    name,
    topicName,
    topicArn,
    fifo,
    // Deduplication by the message's id (the event id), never by content: two events may carry equal bytes only if they are one event.
    attributes: fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : {},
    subscribers: subscriptions.map((subscription) => subscriberResource(subscription, topicArn, naming, settings)),
  };
}

function subscriberResource(subscription: ResolvedSubscription, topicArn: string, naming: MessagingNaming, settings: Required<MessagingResourceOptions>): SubscriberQueueResource {
  const fifo = subscription.ordering === 'per-key';
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
  const deadLetterQueue = queueResource(`${naming.prefix}${subscription.queue}-dlq`, fifo, naming, {
    ...fifoAttributes,
    MessageRetentionPeriod: String(settings.deadLetterRetentionSeconds),
  });
  const base = queueResource(`${naming.prefix}${subscription.queue}`, fifo, naming, fifoAttributes);
  const queue: SqsQueueResource = {
    ...base,
    attributes: {
      ...base.attributes,
      VisibilityTimeout: String(Math.ceil(subscription.visibilityTimeoutMs / 1000)),
      MessageRetentionPeriod: String(settings.messageRetentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.queueArn, maxReceiveCount: subscription.maxReceiveCount }),
      Policy: JSON.stringify(topicMaySend(base.queueArn, topicArn)),
    },
  };
  return {
    name: subscription.queue,
    subscription,
    queue,
    deadLetterQueue: { ...deadLetterQueue, attributes: { ...deadLetterQueue.attributes, RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [queue.queueArn] }) } },
    subscriptionAttributes: {
      // The SNS message (base64 text of the record) is the SQS body, and its attributes become message attributes.
      RawMessageDelivery: 'true',
      ...(subscription.filter ? { FilterPolicy: JSON.stringify(subscription.filter), FilterPolicyScope: 'MessageAttributes' } : {}),
    },
  };
}

function queueResource(baseName: string, fifo: boolean, naming: MessagingNaming, attributes: Record<string, string>): SqsQueueResource {
  const queueName = baseName + (fifo ? '.fifo' : '');
  if (queueName.length > MAX_QUEUE_NAME) {
    throw new MessagingError(MESSAGING_ERRORS.INVALID_DECLARATION, `queue name "${queueName}" is longer than the ${MAX_QUEUE_NAME} characters SQS takes: shorten the prefix or the queue`, {
      details: { field: 'queue', queueName },
    });
  }
  return {
    queueName,
    queueArn: arn('sqs', naming, queueName),
    queueUrl: `https://sqs.${naming.region}.amazonaws.com/${naming.accountId}/${queueName}`,
    attributes,
  };
}

/** Without it SNS cannot deliver to the queue, and nothing says so: the messages just never arrive (moto does not check it). */
function topicMaySend(queueArn: string, topicArn: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TopicSendsToQueue',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
}

function arn(service: 'sns' | 'sqs', naming: MessagingNaming, resource: string): string {
  return `arn:${naming.partition ?? 'aws'}:${service}:${naming.region}:${naming.accountId}:${resource}`;
}
