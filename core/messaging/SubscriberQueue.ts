import type { DeadLetteredMessage, ReceivedMessage } from './QueueMessage';

/** How a subscriber queue delivers; fixed when the subscriber is declared. */
export interface QueueSettings {
  /** How long a received message stays hidden unless acked or its visibility is changed. @defaultValue 30000 */
  visibilityTimeoutMs?: number;
  /** Receives after which the next receive moves a message to the dead-letter queue instead. @defaultValue 5 */
  maxReceiveCount?: number;
  /**
   * `'per-key'`: messages of one group key are delivered in publish order, and none of a key
   * while one of its messages is in flight (SQS FIFO message groups); a republished
   * deduplication id is stored once while the message is in the queue. `'none'`: any order,
   * as a standard SQS queue. @defaultValue 'per-key'
   */
  ordering?: 'per-key' | 'none';
}

/** The defaults of {@link QueueSettings}: those of the AWS path (visibility 30 s, DLQ after 5 receives). */
export const QUEUE_DEFAULTS: Readonly<Required<QueueSettings>> = {
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 5,
  ordering: 'per-key',
};

/** How many messages a queue holds, by state (approximate on SQS). */
export interface QueueDepth {
  /** Receivable now (on a per-key queue, some may wait behind an in-flight message of their key). */
  visible: number;
  /** Received and neither acked nor visible again yet, or hidden by a changed visibility. */
  inFlight: number;
  /** In the dead-letter queue. */
  deadLettered: number;
}

/**
 * One subscriber's queue, fed by a topic: at-least-once delivery with a visibility timeout, a
 * receive count per message and a dead-letter queue. SQS standard or FIFO queues on AWS, SQLite
 * embedded; both pass `test/contract/messageQueueContract.ts`.
 *
 * Lifecycle of a message: published (visible) -> received (hidden for the visibility timeout,
 * receive count + 1) -> acked (deleted), or visible again when the timeout passes or its
 * visibility is changed -> ... -> once received `maxReceiveCount` times, the next receive moves it
 * to the dead-letter queue instead of delivering it -> `redrive` moves it back, its count reset.
 *
 * Errors: a failing engine rejects with the adapter's error; unknown or stale receipt handles
 * are ignored by `ack` and `changeVisibility` (the message was received again meanwhile).
 */
export interface SubscriberQueue {
  readonly name: string;
  readonly settings: Readonly<Required<QueueSettings>>;
  /** Up to `maxMessages` messages, in publish order as far as the queue keeps it, each hidden for `visibilityTimeoutMs` (default: the queue's). */
  receive(maxMessages: number, options?: { visibilityTimeoutMs?: number }): Promise<ReceivedMessage[]>;
  /** Deletes the received messages (done with them). */
  ack(receiptHandles: readonly string[]): Promise<void>;
  /** Hides the received messages for `visibilityTimeoutMs` from now: 0 gives them back at once (nack), more is a backoff. */
  changeVisibility(receiptHandles: readonly string[], visibilityTimeoutMs: number): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** The oldest messages of the dead-letter queue, without moving them. */
  deadLetters(limit: number): Promise<DeadLetteredMessage[]>;
  /** Moves up to `limit` (default: all) dead-lettered messages back, oldest first, receive count reset; resolves with how many. */
  redrive(options?: { limit?: number }): Promise<number>;
  /** Optional wake-up hint: called when messages may have become receivable. Returns an unsubscribe function. */
  onMessage?(listener: () => void): () => void;
}
