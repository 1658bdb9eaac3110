import type { Logger } from '../../core/logging/Logger';
import type { DocumentChanged, NotificationPublisher } from '../../core/notifications/DocumentChanged';
import { CONNECTION_GONE } from './DynamoDbConnectionStore';
import type { DynamoDbConnectionStore, Subscriber } from './DynamoDbConnectionStore';
import { topicsOfChange } from './tables/connectionsTable';
import type { WebSocketConnectionPoster } from './WebSocketConnectionPoster';

/** Options of {@link WebSocketNotificationPublisher}. */
export interface WebSocketNotificationPublisherOptions {
  connections: DynamoDbConnectionStore;
  poster: WebSocketConnectionPoster;
  logger: Logger;
  /** Frames per second per connection, shared by every process sending to it. @defaultValue 100 */
  maxPerSecond?: number;
  /** Connections served at once by one publish. @defaultValue 16 */
  concurrency?: number;
  /** @defaultValue Date.now */
  clock?: () => number;
}

/** Defaults of {@link WebSocketNotificationPublisherOptions}. */
export const WEB_SOCKET_PUBLISHER_DEFAULTS = {
  /** @defaultValue 100 — the plan's limit of notifications per second per client */
  maxPerSecond: 100,
  /** @defaultValue 16 */
  concurrency: 16,
} as const;

/** One `changed` frame for one subscription of a connection. */
interface PendingFrame {
  subscriptionId: string;
  change: DocumentChanged;
  /** Earlier changes of the same document this frame replaces. */
  coalesced: number;
}

/**
 * The AWS side of `notify`: finds the subscribers of each change in the connections table (one
 * Query of the `ByTopic` index per topic: the document, its type, and its type under the owner
 * for grants on own documents) and posts them `changed` frames through the API Gateway
 * management API.
 *
 * Throttling (at most `maxPerSecond` frames per second per connection): Lambda keeps no state
 * between invocations and several invocations (shards, parallelization) may send to one
 * connection at once, so the budget lives in DynamoDB, on the connection's own item
 * (`claimSends`: the second's used count, claimed with a conditional update). A publish whose
 * frames for a connection exceed what the budget grants coalesces them per subscription and
 * document to the latest version (the frame says how many it replaces in `coalesced`), sends what
 * was granted, and waits for the next second for the rest: nothing is dropped, the client always
 * gets the newest version, and the wait is back-pressure on the pipeline (bounded: a batch of
 * `n` records makes at most `n` frames per subscription after coalescing). Connections are
 * served concurrently (`concurrency`), each in order.
 *
 * Delivery: at-least-once, like the pipeline: a retried batch publishes again, and clients keep
 * the highest version per document. A connection API Gateway answers 410 Gone for (or whose item
 * is gone) is deleted with its subscriptions; any other failure of the table or the management
 * API rejects the publish, so the runner retries the record, then parks it.
 *
 * @example
 * const notifications = new WebSocketNotificationPublisher({ connections, poster, logger });
 * await notifications.publish([{ resourceType: 'orders', id: 'order-1', version: 3, eventId, owner: 'alice' }]);
 */
export class WebSocketNotificationPublisher implements NotificationPublisher {
  private readonly maxPerSecond: number;
  private readonly concurrency: number;
  private readonly clock: () => number;

  constructor(private readonly options: WebSocketNotificationPublisherOptions) {
    this.maxPerSecond = options.maxPerSecond ?? WEB_SOCKET_PUBLISHER_DEFAULTS.maxPerSecond;
    this.concurrency = options.concurrency ?? WEB_SOCKET_PUBLISHER_DEFAULTS.concurrency;
    this.clock = options.clock ?? Date.now;
    if (!(Number.isInteger(this.maxPerSecond) && this.maxPerSecond > 0)) throw new RangeError(`maxPerSecond must be a positive integer; got ${this.maxPerSecond}`);
    if (!(Number.isInteger(this.concurrency) && this.concurrency > 0)) throw new RangeError(`concurrency must be a positive integer; got ${this.concurrency}`);
  }

  async publish(changes: readonly DocumentChanged[]): Promise<void> {
    if (changes.length === 0) return;
    const topicsOf = changes.map((change) => topicsOfChange(change.resourceType, change.id, change.owner));
    const subscribers = await this.options.connections.subscribersOf(topicsOf.flat());
    const byConnection = new Map<string, PendingFrame[]>();
    changes.forEach((change, index) => {
      const reached = new Set<string>();
      for (const topic of topicsOf[index] ?? []) {
        for (const subscriber of subscribers.get(topic) ?? []) {
          // One frame per subscription, even when two of its topics match (never the case today).
          const key = `${subscriber.connectionId}\u0000${subscriber.subscriptionId}`;
          if (reached.has(key)) continue;
          reached.add(key);
          framesOf(byConnection, subscriber).push({ subscriptionId: subscriber.subscriptionId, change, coalesced: 0 });
        }
      }
    });
    const queue = [...byConnection.entries()];
    const workers = Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await this.deliver(next[0], next[1]);
    });
    await Promise.all(workers);
  }

  /** Sends `frames` to one connection in order, within its budget, coalescing what must wait. */
  private async deliver(connectionId: string, frames: PendingFrame[]): Promise<void> {
    const { connections, poster } = this.options;
    let pending = frames;
    while (pending.length > 0) {
      const granted = await connections.claimSends(connectionId, pending.length, this.maxPerSecond, this.clock());
      if (granted === CONNECTION_GONE) return this.forget(connectionId, 'its connection item is gone');
      if (granted < pending.length) pending = coalesce(pending);
      const now = pending.slice(0, granted);
      pending = pending.slice(granted);
      for (const frame of now) {
        if ((await poster.post(connectionId, changedFrame(frame))) === 'gone') return this.forget(connectionId, 'API Gateway answered 410 Gone');
      }
      if (pending.length > 0) await untilNextSecond(this.clock());
    }
  }

  private async forget(connectionId: string, why: string): Promise<void> {
    this.options.logger.info('WebSocket connection forgotten', { connectionId, why });
    await this.options.connections.disconnect(connectionId);
  }
}

function framesOf(byConnection: Map<string, PendingFrame[]>, subscriber: Subscriber): PendingFrame[] {
  let frames = byConnection.get(subscriber.connectionId);
  if (frames === undefined) {
    frames = [];
    byConnection.set(subscriber.connectionId, frames);
  }
  return frames;
}

/**
 * One frame per subscription and document, at the place of its first frame, carrying the change
 * with the highest version and how many frames it replaces.
 */
function coalesce(frames: readonly PendingFrame[]): PendingFrame[] {
  const kept = new Map<string, PendingFrame>();
  for (const frame of frames) {
    const key = `${frame.subscriptionId}\u0000${frame.change.resourceType}\u0000${frame.change.id}`;
    const earlier = kept.get(key);
    if (earlier === undefined) {
      kept.set(key, { ...frame });
      continue;
    }
    earlier.coalesced += frame.coalesced + 1;
    if (frame.change.version >= earlier.change.version) earlier.change = frame.change;
  }
  return [...kept.values()];
}

function changedFrame(frame: PendingFrame): Record<string, unknown> {
  const { change } = frame;
  return {
    type: 'changed',
    subscriptionId: frame.subscriptionId,
    resourceType: change.resourceType,
    id: change.id,
    version: change.version,
    eventId: change.eventId,
    ...(change.owner === undefined ? {} : { owner: change.owner }),
    ...(change.deleted === true ? { deleted: true } : {}),
    ...(frame.coalesced > 0 ? { coalesced: frame.coalesced } : {}),
  };
}

function untilNextSecond(nowMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000 - (nowMs % 1000) + 1));
}
