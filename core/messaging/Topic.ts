import { MessagingError, MESSAGING_ERRORS } from './MessagingErrors';
import type { MessageAttributes, TopicMessage } from './QueueMessage';
import { QUEUE_DEFAULTS } from './SubscriberQueue';
import type { QueueSettings } from './SubscriberQueue';

/**
 * Which messages a subscriber gets: for each attribute named, the values it accepts (exact
 * strings; every named attribute must match). An SNS filter policy on message attributes.
 */
export type AttributeFilter = Readonly<Record<string, readonly string[]>>;

/** One subscriber of a topic: its queue, what it receives and how the queue delivers. */
export interface SubscriptionDeclaration extends QueueSettings {
  /** The subscriber queue's name (kebab-case, unique across topics). */
  queue: string;
  /** @defaultValue every message of the topic */
  filter?: AttributeFilter;
}

/** A topic and its subscribers, declared in code. */
export interface TopicDeclaration {
  /** Kebab-case. */
  name: string;
  subscriptions: readonly SubscriptionDeclaration[];
}

/** A subscription with every setting filled in. */
export type ResolvedSubscription = Required<Omit<SubscriptionDeclaration, 'filter'>> & { topic: string; filter: AttributeFilter | undefined };

/**
 * Publishes to named topics; each topic fans a message out to the queue of every subscriber
 * whose filter accepts it (SNS -> SQS on AWS, SQLite embedded).
 *
 * Guarantees: a batch is checked as a whole before anything is sent (INVALID_MESSAGE with the
 * offending field: nothing of it is published); a resolved publish has reached every matching
 * queue durably; messages of one group key enter each queue in batch order.
 * Errors: UNKNOWN_TOPIC, INVALID_MESSAGE, or the adapter's engine error (then publish the batch
 * again: per-key queues store a deduplication id once, and consumers are idempotent anyway).
 */
export interface TopicPublisher {
  publish(topicName: string, messages: readonly TopicMessage[]): Promise<void>;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a topology: kebab-case names, every queue subscribed once, positive settings, filters
 * with values. Throws INVALID_DECLARATION naming the problem; returns the declarations.
 */
export function defineTopics(topics: readonly TopicDeclaration[]): readonly TopicDeclaration[] {
  const queues = new Set<string>();
  const topicNames = new Set<string>();
  for (const topic of topics) {
    if (!NAME.test(topic.name) || topicNames.has(topic.name)) invalid(`topic name "${topic.name}" must be kebab-case and unique`);
    topicNames.add(topic.name);
    for (const subscription of topic.subscriptions) {
      const { queue } = subscription;
      if (!NAME.test(queue) || queues.has(queue)) invalid(`queue name "${queue}" must be kebab-case and subscribed once`);
      queues.add(queue);
      const { visibilityTimeoutMs, maxReceiveCount } = resolve(topic.name, subscription);
      if (!Number.isInteger(visibilityTimeoutMs) || visibilityTimeoutMs < 0) invalid(`queue "${queue}": visibilityTimeoutMs must be an integer >= 0`);
      if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) invalid(`queue "${queue}": maxReceiveCount must be an integer >= 1`);
      for (const [attribute, values] of Object.entries(subscription.filter ?? {})) {
        if (values.length === 0) invalid(`queue "${queue}": filter on "${attribute}" accepts no value`);
      }
    }
  }
  return topics;
}

/** Every subscription of `topics`, settings filled in from {@link QUEUE_DEFAULTS}. */
export function subscriptionsOf(topics: readonly TopicDeclaration[]): ResolvedSubscription[] {
  return topics.flatMap((topic) => topic.subscriptions.map((subscription) => resolve(topic.name, subscription)));
}

/** The subscription of `queueName`; throws UNKNOWN_QUEUE when no topic declares it. */
export function subscriptionOf(topics: readonly TopicDeclaration[], queueName: string): ResolvedSubscription {
  const found = subscriptionsOf(topics).find((subscription) => subscription.queue === queueName);
  if (!found) throw new MessagingError(MESSAGING_ERRORS.UNKNOWN_QUEUE, `no topic declares a subscriber queue "${queueName}"`, { details: { queue: queueName } });
  return found;
}

/** Does `filter` accept a message with `attributes`? No filter accepts everything. */
export function matchesFilter(filter: AttributeFilter | undefined, attributes: MessageAttributes): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([name, accepted]) => {
    const value = attributes[name];
    return value !== undefined && accepted.includes(value);
  });
}

function resolve(topic: string, subscription: SubscriptionDeclaration): ResolvedSubscription {
  return {
    topic,
    queue: subscription.queue,
    filter: subscription.filter,
    visibilityTimeoutMs: subscription.visibilityTimeoutMs ?? QUEUE_DEFAULTS.visibilityTimeoutMs,
    maxReceiveCount: subscription.maxReceiveCount ?? QUEUE_DEFAULTS.maxReceiveCount,
    ordering: subscription.ordering ?? QUEUE_DEFAULTS.ordering,
  };
}

function invalid(message: string): never {
  throw new MessagingError(MESSAGING_ERRORS.INVALID_DECLARATION, message);
}
