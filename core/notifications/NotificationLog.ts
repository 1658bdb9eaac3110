import type { DocumentChanged, NotificationPublisher } from './DocumentChanged';

/** Error codes of notification logs. */
export const NOTIFICATION_LOG_ERRORS = {
  /** The log could not be written or read (details in the cause). */
  STORE_UNAVAILABLE: 'NOTIFICATION_LOG_UNAVAILABLE',
} as const;

/** A published change at its position in the log. */
export interface LoggedNotification {
  /** Increases in commit order, never reused (also after pruning). */
  position: number;
  change: DocumentChanged;
}

/**
 * A notification publisher that keeps what it published, in order, for a while: the embedded
 * backend's hand-over from the pipelines (a worker thread) to the WebSocket server (the main
 * thread), and the source of resumes. Old entries are pruned; a reader asking for positions
 * before {@link prunedThrough} has missed changes and must re-read by query.
 */
export interface NotificationLog extends NotificationPublisher {
  /** Up to `limit` entries after `position`, oldest first. */
  readAfter(position: number, limit: number): Promise<LoggedNotification[]>;
  /** The position of the newest entry ever written (0 when none). */
  headPosition(): Promise<number>;
  /** Every position up to this one has been pruned (0 when none). */
  prunedThrough(): Promise<number>;
}

/**
 * The synchronous side of a publisher that writes without I/O waits (the embedded log, inside a
 * pipeline batch's shared SQLite transaction): `notify` then publishes without a promise per record.
 */
export interface SyncNotificationPublisher {
  publishNow(changes: readonly DocumentChanged[]): void;
}

/** Does `publisher` offer {@link SyncNotificationPublisher}? */
export function isSyncNotificationPublisher(publisher: NotificationPublisher): publisher is NotificationPublisher & SyncNotificationPublisher {
  return typeof (publisher as Partial<SyncNotificationPublisher>).publishNow === 'function';
}
