import type { AppendContext, AppendOptions, AppendResult, EventStore, NewEvent, Page, ReadStreamOptions, ReadTimeRangeOptions, StoredEvent } from './EventStore';

/** A stored event with its place in the global log. */
export interface PositionedEvent extends StoredEvent {
  /** 1, 2, 3, ... across all aggregates, in commit order, without gaps. */
  position: number;
}

/** An append's result on a store that keeps a global log. */
export interface PositionedAppendResult extends AppendResult {
  /** Global positions of the appended events, consecutive. */
  positions: number[];
}

/**
 * One global, gap-free, totally ordered log of every event: the embedded backend's change feed.
 * It is a property of a single-writer log (SQLite's rowid), not of every store: on DynamoDB a
 * global counter would be one item that every append updates, capping the whole system at one
 * partition's write rate, so the DynamoDB store does not offer it (its change feed is DynamoDB
 * Streams, ordered per aggregate).
 *
 * Guarantees: positions are assigned in commit order, without gaps; a listener runs after the
 * commit of each append made through this process and cannot fail it.
 */
export interface EventLog {
  /** Events with position > afterPosition, in position order, at most `limit` (at most 1000). */
  readAll(afterPosition: number, limit: number): Promise<PositionedEvent[]>;
  /** The highest committed position (0 when empty). */
  headPosition(): Promise<number>;
  /** Calls `listener` after each committed append in this process. Returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
}

/** An {@link EventStore} that is also the {@link EventLog}: its reads and appends carry positions. */
export interface LoggedEventStore extends EventStore, EventLog {
  append(aggregateId: string, expectedVersion: number, events: NewEvent[], context: AppendContext, options?: AppendOptions): Promise<PositionedAppendResult>;
  readStream(aggregateId: string, options?: ReadStreamOptions): Promise<Page<PositionedEvent>>;
  readByTimeRange(options: ReadTimeRangeOptions): Promise<Page<PositionedEvent>>;
}
