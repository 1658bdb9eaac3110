import type { Database, Transaction } from 'better-sqlite3';
import type { AppendContext, AppendOptions, NewEvent, Page, ReadStreamOptions, ReadTimeRangeOptions } from '../../core/events/EventStore';
import type { LoggedEventStore, PositionedAppendResult, PositionedEvent } from '../../core/events/EventLog';
import { silentLogger } from '../../core/logging/Logger';
import type { Logger } from '../../core/logging/Logger';
import type { EventCodec } from '../../core/schema/EventCodec';
import type { RecordSource } from '../../core/streams/RecordSource';
import { AppendListeners } from './AppendListeners';
import { ConcurrencyConflictError, EventStoreUnavailableError, isConcurrencyConflictError } from '../../core/events/EventStoreErrors';
import { allLimit, rangeCursor, rangeQuery, streamCursor, streamQuery } from './eventReadQueries';
import { EventRowEncoder } from './EventRowEncoder';
import { SqliteEventFeed } from './SqliteEventFeed';
import { SqliteEventsTable } from './SqliteEventsTable';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';
import { timeOrderedId } from './timeOrderedId';
import type { EventRow, StoredEventRow } from './SqliteEventsTable';
import { SqliteIdempotencyTable, completionRowOf } from './SqliteIdempotencyTable';
import type { CompletionRow } from './SqliteIdempotencyTable';
import { IdempotencyClaimLostError, isIdempotencyClaimLostError } from '../../core/idempotency/IdempotencyErrors';

/** Options of {@link SqliteEventStore}. */
export interface SqliteEventStoreOptions {
  /** Source of `occurredAt`. @defaultValue () => new Date() */
  clock?: () => Date;
  /**
   * Source of event ids. Time-ordered ids keep the event-id index's inserts at its right edge
   * (fewer pages per commit than random v4 ids). @defaultValue timeOrderedId (UUID v7)
   */
  newId?: () => string;
  /** Receives refused events and failing listeners. @defaultValue silentLogger */
  logger?: Logger;
  /**
   * Commit the appends that reach the store in the same event-loop turn in one transaction
   * (each still checks its own expected version and a conflicting one fails alone). Trades one
   * turn of latency for fewer commits under concurrent writers.
   * @defaultValue false
   */
  groupCommit?: boolean;
}

const DEFAULTS: Required<SqliteEventStoreOptions> = {
  clock: () => new Date(),
  newId: () => timeOrderedId(),
  logger: silentLogger,
  groupCommit: false,
};

interface PendingAppend {
  aggregateId: string;
  expectedVersion: number;
  rows: EventRow[];
  /** The idempotency key to complete after the rows, in the same transaction. */
  completion?: CompletionRow;
}

interface QueuedAppend extends PendingAppend {
  resolve(positions: number[]): void;
  reject(error: unknown): void;
}

type GroupOutcome = { positions: number[] } | { error: unknown };

/**
 * The embedded event store: one SQLite `events` table whose INTEGER PRIMARY KEY is the global,
 * gap-free position, so it is the `EventLog` (readAll, headPosition, onAppend) as well as an
 * `EventStore`. Triggers make the table itself refuse UPDATE and DELETE.
 *
 * Guarantees: every event is validated and encoded (`codec.encode`, then the envelope) before
 * the transaction starts, so a refused event writes nothing; the version check and the inserts
 * run in one BEGIN IMMEDIATE transaction, so an append is atomic and a stale expectedVersion
 * fails with `CONCURRENCY_CONFLICT` (also across processes sharing the file); `onAppend`
 * listeners run after the commit and cannot fail the append.
 *
 * Errors: `UNREGISTERED_EVENT` / `INVALID_EVENT_PAYLOAD` from the codec (logged, rethrown);
 * `CONCURRENCY_CONFLICT` (details: aggregateId, expectedVersion, actualVersion);
 * `INVALID_READ` for a bad cursor, range or limit; `EVENT_STORE_UNAVAILABLE` when SQLite fails.
 *
 * @example
 * const store = new SqliteEventStore(openSqliteDatabase('.nexus/nexus.db'), codec);
 * await store.append('order-1', 0, [{ eventType: 'OrderPlaced', payload }], { aggregateType: 'Order', correlationId });
 */
export class SqliteEventStore implements LoggedEventStore {
  private readonly settings: Required<SqliteEventStoreOptions>;
  private readonly table: SqliteEventsTable;
  private readonly encoder: EventRowEncoder;
  private readonly listeners: AppendListeners;
  private readonly commitOne: Transaction<(append: PendingAppend) => number[]>;
  private readonly commitGroup: Transaction<(batch: readonly QueuedAppend[]) => GroupOutcome[]>;
  private queue: QueuedAppend[] = [];
  private readonly unitOfWork: SqliteUnitOfWork;
  /** Prepared on the first idempotent append, so stores that never see one add no table. */
  private idempotencyTable: SqliteIdempotencyTable | undefined;

  constructor(
    private readonly db: Database,
    private readonly codec: EventCodec,
    options: SqliteEventStoreOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...options };
    this.table = new SqliteEventsTable(db);
    this.encoder = new EventRowEncoder(codec, this.settings);
    this.listeners = new AppendListeners(this.settings.logger, 'events');
    this.unitOfWork = SqliteUnitOfWork.of(db);
    this.commitOne = db.transaction((append: PendingAppend) => this.insertChecked(append));
    // A conflicting append has written nothing (see insertChecked), so it fails alone without a
    // savepoint per append (savepoints cost as much as the insert). Any other failure throws the
    // whole group back to `flush`.
    this.commitGroup = db.transaction((batch: readonly QueuedAppend[]) =>
      batch.map((append): GroupOutcome => {
        try {
          return { positions: this.insertChecked(append) };
        } catch (error) {
          if (isConcurrencyConflictError(error)) return { error };
          throw error;
        }
      }),
    );
  }

  async append(aggregateId: string, expectedVersion: number, events: NewEvent[], context: AppendContext, options: AppendOptions = {}): Promise<PositionedAppendResult> {
    // Warm codec: no promise per payload (most appends); otherwise load the schemas first.
    const rows = this.encoder.encodeWarm(aggregateId, expectedVersion, events, context) ?? (await this.encoder.encode(aggregateId, expectedVersion, events, context));
    const append: PendingAppend = { aggregateId, expectedVersion, rows };
    if (options.idempotency) append.completion = this.completionOf(append, options.idempotency);
    let positions: number[];
    if (this.settings.groupCommit) {
      positions = await this.enqueue(append);
    } else {
      positions = this.commitAlone(append);
      this.listeners.notify();
    }
    // When the connection is shared with a pipeline's open batch transaction, the insert ran as
    // a savepoint inside it: acknowledge the append only once that transaction has committed.
    const durable = this.unitOfWork.durable();
    if (durable) await durable;
    return { aggregateId, version: expectedVersion + rows.length, eventIds: rows.map((row) => row.event_id), positions };
  }

  async readStream(aggregateId: string, options: ReadStreamOptions = {}): Promise<Page<PositionedEvent>> {
    const { afterVersion, limit } = streamQuery(aggregateId, options);
    const rows = this.sql('readStream', () => this.table.selectStream.all(aggregateId, afterVersion, limit + 1));
    return this.page(rows, limit, (last) => streamCursor(aggregateId, last.aggregate_version));
  }

  async readByTimeRange(options: ReadTimeRangeOptions): Promise<Page<PositionedEvent>> {
    const range = rangeQuery(options);
    const rows = this.sql('readByTimeRange', () =>
      range.aggregateId === undefined
        ? this.table.selectRange.all(range.from, range.to, range.afterPosition, range.limit + 1)
        : this.table.selectRangeOfAggregate.all(range.aggregateId, range.from, range.to, range.afterPosition, range.limit + 1),
    );
    return this.page(rows, range.limit, (last) => rangeCursor(range, last.position));
  }

  async readAll(afterPosition: number, limit: number): Promise<PositionedEvent[]> {
    const bounded = allLimit(limit);
    const rows = this.sql('readAll', () => this.table.selectAll.all(afterPosition, bounded));
    return Promise.all(rows.map((row) => this.toStoredEvent(row)));
  }

  async currentVersion(aggregateId: string): Promise<number> {
    return this.sql('currentVersion', () => this.table.currentVersion(aggregateId));
  }

  async headPosition(): Promise<number> {
    return this.sql('headPosition', () => this.table.headPosition());
  }

  onAppend(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** The change feed (name `events`): key = aggregate id, record = the stored envelope bytes. */
  asRecordSource(): RecordSource {
    return new SqliteEventFeed(this.db, this);
  }

  /**
   * Writes the append's rows if the aggregate is at `expectedVersion`, else throws
   * CONCURRENCY_CONFLICT having written nothing. One event: the statement checks the version
   * itself (or, for a new stream, the UNIQUE (aggregate_id, aggregate_version) index does: every
   * existing stream has a version 1), so it needs no transaction around it. Several events: the
   * version is looked up first, so the caller's BEGIN IMMEDIATE must hold the write lock.
   * An idempotency completion is written after the rows and needs that transaction too: when
   * its claim was lost it throws, and the rollback takes the rows with it.
   */
  private insertChecked(append: PendingAppend): number[] {
    const positions = this.insertRows(append);
    if (append.completion && this.idempotency().complete.run(append.completion).changes !== 1) {
      throw new IdempotencyClaimLostError({ clientId: append.completion.client_id, key: append.completion.idempotency_key });
    }
    return positions;
  }

  private insertRows(append: PendingAppend): number[] {
    const { rows, expectedVersion } = append;
    const only = rows.length === 1 ? rows[0] : undefined;
    if (only && expectedVersion === 0) {
      try {
        return [Number(this.table.insert.run(only).lastInsertRowid)];
      } catch (error) {
        throw isVersionTaken(error) ? this.conflict(append) : error;
      }
    }
    if (only) {
      const result = this.table.insertAtNextVersion.run(only);
      if (result.changes !== 1) throw this.conflict(append);
      return [Number(result.lastInsertRowid)];
    }
    if (this.table.currentVersion(append.aggregateId) !== expectedVersion) throw this.conflict(append);
    return rows.map((row) => Number(this.table.insert.run(row).lastInsertRowid));
  }

  private conflict(append: PendingAppend): ConcurrencyConflictError {
    return new ConcurrencyConflictError(append.aggregateId, append.expectedVersion, this.table.currentVersion(append.aggregateId));
  }

  private commitAlone(append: PendingAppend): number[] {
    try {
      // One event is its own transaction (or joins the connection's open one): no BEGIN/COMMIT.
      return append.rows.length === 1 && !append.completion ? this.insertChecked(append) : this.commitOne.immediate(append);
    } catch (error) {
      throw this.appendFailure(append, error);
    }
  }

  private enqueue(append: PendingAppend): Promise<number[]> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ ...append, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    let outcomes: GroupOutcome[];
    try {
      outcomes = this.commitGroup.immediate(batch);
    } catch {
      // The group failed as a whole (busy, I/O): commit each alone so each gets its own verdict.
      outcomes = batch.map((append) => {
        try {
          return { positions: this.commitAlone(append) };
        } catch (error) {
          return { error };
        }
      });
    }
    if (outcomes.some((outcome) => 'positions' in outcome)) this.listeners.notify();
    outcomes.forEach((outcome, index) => {
      const append = batch[index];
      if (!append) return;
      if ('positions' in outcome) append.resolve(outcome.positions);
      else append.reject(outcome.error);
    });
  }

  private appendFailure(append: PendingAppend, error: unknown): Error {
    if (isConcurrencyConflictError(error) || isIdempotencyClaimLostError(error)) return error as Error;
    // A writer outside this check (another process without IMMEDIATE) won the same version.
    if (isVersionTaken(error)) {
      const actual = this.sql('append', () => this.table.currentVersion(append.aggregateId));
      return new ConcurrencyConflictError(append.aggregateId, append.expectedVersion, actual, error);
    }
    return new EventStoreUnavailableError('append', error);
  }

  /** The completing row, with the response built from what the append is about to write. */
  private completionOf(append: PendingAppend, idempotency: NonNullable<AppendOptions['idempotency']>): CompletionRow {
    const { claim } = idempotency;
    const response = idempotency.response({
      aggregateId: append.aggregateId,
      version: append.expectedVersion + append.rows.length,
      eventIds: append.rows.map((row) => row.event_id),
    });
    this.idempotency();
    return completionRowOf(claim, response);
  }

  private idempotency(): SqliteIdempotencyTable {
    this.idempotencyTable ??= SqliteIdempotencyTable.of(this.db);
    return this.idempotencyTable;
  }

  private async page(rows: StoredEventRow[], limit: number, cursorAfter: (last: StoredEventRow) => string): Promise<Page<PositionedEvent>> {
    const kept = rows.slice(0, limit);
    const items = await Promise.all(kept.map((row) => this.toStoredEvent(row)));
    const last = kept[kept.length - 1];
    return rows.length > limit && last ? { items, nextCursor: cursorAfter(last) } : { items };
  }

  private async toStoredEvent(row: StoredEventRow): Promise<PositionedEvent> {
    const envelope = await this.codec.decodeEnvelope(row.record);
    return { ...envelope, position: row.position, record: row.record };
  }

  private sql<T>(operation: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw new EventStoreUnavailableError(operation, error);
    }
  }
}

/** SQLite refused a row because its (aggregate_id, aggregate_version) exists already. */
function isVersionTaken(error: unknown): boolean {
  // Duck-typed: under test runners the error may come from another realm's Error class.
  const message = (error as { message?: unknown } | null)?.message;
  return sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('aggregate_version');
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
