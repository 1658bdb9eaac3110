import type { Database, Statement, Transaction } from 'better-sqlite3';
import { MessagingError, MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import { validateTopicMessages } from '../../core/messaging/QueueMessage';
import type { TopicMessage } from '../../core/messaging/QueueMessage';
import { defineTopics, matchesFilter, subscriptionsOf } from '../../core/messaging/Topic';
import type { ResolvedSubscription, TopicDeclaration, TopicPublisher } from '../../core/messaging/Topic';
import { SqliteMessageTable } from './SqliteMessageTable';
import type { MessageClock } from './SqliteMessageTable';

/** Options of {@link SqliteTopicPublisher}. */
export interface SqliteTopicPublisherOptions {
  /** @defaultValue Date.now */
  clock?: MessageClock;
}

const DEFAULTS: Required<SqliteTopicPublisherOptions> = {
  clock: Date.now,
};

/**
 * The embedded topics: a publish writes one row per message and matching subscriber into
 * `queue_messages` (see {@link SqliteMessageTable}), in one transaction.
 *
 * Guarantees: a batch is all or nothing (checked first, then one transaction: every message
 * reaches every matching queue, or none does); a deduplication id already in a queue (in flight
 * or dead-lettered included) is not stored again; a message no subscriber's filter accepts is
 * dropped, as SNS does; each queue's consumers in this process are woken after the commit.
 *
 * @example
 * const topics = new SqliteTopicPublisher(db, [{ name: 'order-events', subscriptions: [{ queue: 'order-notices' }] }]);
 * await topics.publish('order-events', [{ body, groupKey: 'order-1', deduplicationId: eventId, attributes: { eventType: 'OrderConfirmed' } }]);
 */
export class SqliteTopicPublisher implements TopicPublisher {
  private readonly table: SqliteMessageTable;
  private readonly clock: MessageClock;
  private readonly subscribers: ReadonlyMap<string, readonly ResolvedSubscription[]>;
  private readonly insert: Statement<[string, string, string, Buffer, string, number, number]>;
  private readonly insertAll: Transaction<(subscribers: readonly ResolvedSubscription[], messages: readonly TopicMessage[], now: number) => Set<string>>;

  constructor(db: Database, topics: readonly TopicDeclaration[], options: SqliteTopicPublisherOptions = {}) {
    this.table = SqliteMessageTable.of(db);
    this.clock = options.clock ?? DEFAULTS.clock;
    const subscriptions = subscriptionsOf(defineTopics(topics));
    this.subscribers = new Map(topics.map((topic) => [topic.name, subscriptions.filter((subscription) => subscription.topic === topic.name)]));
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO queue_messages (queue, group_key, dedup_id, body, attributes, sent_at, visible_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertAll = db.transaction((subscribers, messages, now) => {
      const woken = new Set<string>();
      for (const message of messages) {
        const attributes = JSON.stringify(message.attributes);
        for (const { queue, filter } of subscribers) {
          if (!matchesFilter(filter, message.attributes)) continue;
          if (this.insert.run(queue, message.groupKey, message.deduplicationId, message.body, attributes, now, now).changes > 0) woken.add(queue);
        }
      }
      return woken;
    });
  }

  async publish(topicName: string, messages: readonly TopicMessage[]): Promise<void> {
    const subscribers = this.subscribers.get(topicName);
    if (!subscribers) {
      throw new MessagingError(MESSAGING_ERRORS.UNKNOWN_TOPIC, `no topic "${topicName}" is declared`, { details: { topic: topicName } });
    }
    validateTopicMessages(messages);
    if (messages.length === 0) return;
    const woken = await this.table.write(() => this.insertAll.immediate(subscribers, messages, this.clock()));
    for (const queue of woken) this.table.notify(queue);
  }
}
