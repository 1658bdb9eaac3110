import type { DocumentChanged, NotificationPublisher } from '../../core/notifications/DocumentChanged';
import type { OfferedChange } from '../../core/notifications/NotificationThrottle';
import { subscriptionMatches } from '../../core/notifications/SubscriptionAuthorizer';
import type { DynamoDbConnectionStore } from './DynamoDbConnectionStore';
import type { DynamoDbNotificationLog } from './DynamoDbNotificationLog';
import { topicsOfChange } from './tables/connectionsTable';
import type { WebSocketConnectionDelivery } from './WebSocketConnectionDelivery';

/** Options of {@link WebSocketNotificationPublisher}. */
export interface WebSocketNotificationPublisherOptions {
  connections: DynamoDbConnectionStore;
  /** Sends to one connection within its budget (and forgets a gone one). */
  delivery: WebSocketConnectionDelivery;
  /** Where changes are kept for resumes; absent: frames carry no `resumeAfter`. */
  log?: DynamoDbNotificationLog;
  /** Connections served at once by one publish. @defaultValue 16 */
  concurrency?: number;
}

/** Defaults of {@link WebSocketNotificationPublisherOptions}. */
export const WEB_SOCKET_PUBLISHER_DEFAULTS = {
  /** @defaultValue 16 */
  concurrency: 16,
} as const;

/**
 * The AWS side of `notify`: logs each change (the notification log, for resumes), finds its
 * subscribers in the connections table (one Query of the `ByTopic` index per topic: the document,
 * its type, and its type under its owner for grants on own documents only; each match checked
 * with core's `subscriptionMatches`) and delivers them `changed` frames through the API Gateway
 * management API, at most 100 per second per connection, coalescing beyond
 * ({@link WebSocketConnectionDelivery}). Connections are served concurrently (`concurrency`),
 * each in order.
 *
 * Delivery: at-least-once, like the pipeline: a retried batch publishes again, and clients keep
 * the highest version per document. A gone connection is deleted with its subscriptions; any
 * other failure of the tables or the management API rejects the publish, so the runner retries
 * the record, then parks it.
 *
 * @example
 * const notifications = new WebSocketNotificationPublisher({ connections, delivery, log });
 * await notifications.publish([{ resourceType: 'orders', id: 'order-1', version: 3, eventId, owner: 'alice' }]);
 */
export class WebSocketNotificationPublisher implements NotificationPublisher {
  private readonly concurrency: number;

  constructor(private readonly options: WebSocketNotificationPublisherOptions) {
    this.concurrency = options.concurrency ?? WEB_SOCKET_PUBLISHER_DEFAULTS.concurrency;
    if (!(Number.isInteger(this.concurrency) && this.concurrency > 0)) throw new RangeError(`concurrency must be a positive integer; got ${this.concurrency}`);
  }

  async publish(changes: readonly DocumentChanged[]): Promise<void> {
    if (changes.length === 0) return;
    // Log first, subscribers after, never in parallel: a subscription made in between then either
    // is found here or finds the change in its catch-up read of the log.
    const positions = this.options.log === undefined ? undefined : await this.options.log.append(changes);
    const topicsOf = changes.map((change) => topicsOfChange(change.resourceType, change.id, change.owner));
    const subscribers = await this.options.connections.subscribersOf(topicsOf.flat());
    const byConnection = new Map<string, OfferedChange[]>();
    changes.forEach((change, index) => {
      const position = positions?.[index];
      const reached = new Set<string>();
      for (const topic of topicsOf[index] ?? []) {
        for (const subscriber of subscribers.get(topic) ?? []) {
          const key = `${subscriber.connectionId}\u0000${subscriber.subscriptionId}`;
          if (reached.has(key) || !subscriptionMatches(subscriber, change)) continue;
          reached.add(key);
          const offers = byConnection.get(subscriber.connectionId) ?? [];
          offers.push({ subscriptionId: subscriber.subscriptionId, change, ...(position === undefined ? {} : { position }) });
          byConnection.set(subscriber.connectionId, offers);
        }
      }
    });
    const queue = [...byConnection.entries()];
    const workers = Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await this.options.delivery.deliver(next[0], next[1]);
    });
    await Promise.all(workers);
  }
}
