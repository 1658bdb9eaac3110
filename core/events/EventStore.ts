import type { EventEnvelope } from './EventEnvelope';
import type { IdempotencyCompletion } from '../idempotency/IdempotencyStore';

/** An event a decider produced, not yet validated or stored. */
export interface NewEvent {
  eventType: string;
  payload: Record<string, unknown>;
  /** Schema version to write with; default: the latest registered. */
  schemaVersion?: number;
}

/** What travels with every append. */
export interface AppendContext {
  aggregateType: string;
  correlationId: string;
  causationId?: string | null;
  metadata?: Record<string, string>;
}

/** A stored event: its envelope plus the exact bytes stored, as subscribers receive them. */
export interface StoredEvent extends EventEnvelope {
  /** The whole Glue-framed envelope record, byte for byte as the append encoded it. */
  record: Buffer;
}

/** What an append is known to produce before it is written (event ids are the writer's own). */
export type AppendOutcome = Pick<AppendResult, 'aggregateId' | 'version' | 'eventIds'>;

/** Optional parts of an append. */
export interface AppendOptions {
  /**
   * Completes an idempotency claim in the same transaction as the events: both are written or
   * neither. Fails with `IDEMPOTENCY_CLAIM_LOST`, writing nothing, when the claim's lease ran out
   * and another request owns the key.
   */
  idempotency?: IdempotencyCompletion<AppendOutcome>;
}

export interface AppendResult {
  aggregateId: string;
  /** The aggregate's version after the append. */
  version: number;
  eventIds: string[];
}

/** A page of results with an opaque cursor for the next page (undefined at the end). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface ReadStreamOptions {
  /** Only events with aggregateVersion > afterVersion. Default 0. */
  afterVersion?: number;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Cursor from a previous page; wins over afterVersion. */
  cursor?: string;
}

/** Reads of events in a time range; see {@link EventStore.readByTimeRange}. */
export interface ReadTimeRangeOptions {
  /** Inclusive ISO-8601 lower bound on occurredAt. */
  from: string;
  /** Exclusive ISO-8601 upper bound on occurredAt. */
  to: string;
  aggregateId?: string;
  limit?: number;
  cursor?: string;
}

/** Error codes owned by the EventStore port. */
export const EVENT_STORE_ERRORS = {
  /** expectedVersion did not match; details: aggregateId, expectedVersion, actualVersion. */
  CONCURRENCY_CONFLICT: 'CONCURRENCY_CONFLICT',
  /** A malformed cursor or range. */
  INVALID_READ: 'INVALID_READ',
  /** The storage engine failed (disk, lock, network, throttling after retries); retryable. */
  STORE_UNAVAILABLE: 'EVENT_STORE_UNAVAILABLE',
  /**
   * The append holds more events than the store can write atomically (DynamoDB: 100 items per
   * transaction); refused whole, never split. details: aggregateId, events, items, maxItems.
   */
  APPEND_TOO_LARGE: 'EVENT_APPEND_TOO_LARGE',
} as const;

/**
 * Append-only, optimistically concurrent event store: what every backend does (SQLite and
 * DynamoDB). A global, gap-free order of all events is not part of it: that is the embedded
 * log's extra ({@link EventLog} in `./EventLog`); on DynamoDB the change feed is the table's
 * stream, ordered per aggregate.
 *
 * Guarantees: an append is atomic (all events or none); every event is validated and encoded
 * against its registered schema before anything is written (`UNREGISTERED_EVENT`,
 * `INVALID_EVENT_PAYLOAD`); a stale `expectedVersion` fails with `CONCURRENCY_CONFLICT`
 * carrying the current version; events are never updated or deleted; an idempotency completion
 * passed with an append is written in the same transaction as its events. A store may bound
 * the size of one append (`EVENT_APPEND_TOO_LARGE`, refused whole, never split).
 */
export interface EventStore {
  /** `expectedVersion` is the aggregate version the decision was made on (0 for a new aggregate). */
  append(aggregateId: string, expectedVersion: number, events: NewEvent[], context: AppendContext, options?: AppendOptions): Promise<AppendResult>;
  /** One aggregate's events in version order. */
  readStream(aggregateId: string, options?: ReadStreamOptions): Promise<Page<StoredEvent>>;
  /**
   * Events with occurredAt in [from, to), in time order: one aggregate's events always in
   * version order; events of different aggregates stamped in the same millisecond in an order
   * the store chooses (commit order embedded; aggregate id, then version, on DynamoDB).
   */
  readByTimeRange(options: ReadTimeRangeOptions): Promise<Page<StoredEvent>>;
  /** The current aggregate version (0 when the aggregate has no events). */
  currentVersion(aggregateId: string): Promise<number>;
}
