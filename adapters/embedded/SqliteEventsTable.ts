import type { Database, Statement } from 'better-sqlite3';

/** One row of the `events` table, as written. */
export interface EventRow {
  event_id: string;
  aggregate_id: string;
  aggregate_type: string;
  aggregate_version: number;
  event_type: string;
  schema_version: number;
  occurred_at: string;
  correlation_id: string;
  record: Buffer;
}

/** One row as read back, with its global position. */
export interface StoredEventRow extends EventRow {
  position: number;
}

/**
 * The `events` table and its prepared statements. Every index costs each append a write, so
 * there are only three: event id, (aggregate id, version) which also serves per-aggregate
 * time-range reads, and occurred_at (the rowid rides along) for time-range reads.
 * Positions are the INTEGER PRIMARY KEY (rowid) without AUTOINCREMENT: SQLite assigns max + 1,
 * a rolled-back append gives its positions back, and triggers refuse UPDATE and DELETE, so
 * positions stay gap-free.
 */
export class SqliteEventsTable {
  readonly insert: Statement<EventRow>;
  /**
   * Inserts one row only when the aggregate's current version is the row's version - 1: the
   * version check and the insert in one statement, so a single-event append needs no explicit
   * transaction (the statement takes the write lock before it reads). 0 changes = conflict.
   */
  readonly insertAtNextVersion: Statement<EventRow>;
  readonly selectVersion: Statement<[string], { version: number | null }>;
  readonly selectHead: Statement<[], { head: number | null }>;
  readonly selectAll: Statement<[number, number], StoredEventRow>;
  readonly selectStream: Statement<[string, number, number], StoredEventRow>;
  readonly selectRange: Statement<[string, string, number, number], StoredEventRow>;
  readonly selectRangeOfAggregate: Statement<[string, string, string, number, number], StoredEventRow>;
  readonly selectRecordsAfter: Statement<[number, number], { position: number; key: string; record: Buffer }>;

  constructor(db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        aggregate_id TEXT NOT NULL,
        aggregate_type TEXT NOT NULL,
        aggregate_version INTEGER NOT NULL CHECK (aggregate_version > 0),
        event_type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        occurred_at TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        record BLOB NOT NULL,
        UNIQUE (aggregate_id, aggregate_version)
      );
      CREATE INDEX IF NOT EXISTS events_by_time ON events (occurred_at);
      CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
      CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;`);
    this.insert = db.prepare(`
      INSERT INTO events (event_id, aggregate_id, aggregate_type, aggregate_version, event_type, schema_version,
        occurred_at, correlation_id, record)
      VALUES (@event_id, @aggregate_id, @aggregate_type, @aggregate_version, @event_type, @schema_version,
        @occurred_at, @correlation_id, @record)`);
    this.insertAtNextVersion = db.prepare(`
      INSERT INTO events (event_id, aggregate_id, aggregate_type, aggregate_version, event_type, schema_version,
        occurred_at, correlation_id, record)
      SELECT @event_id, @aggregate_id, @aggregate_type, @aggregate_version, @event_type, @schema_version,
        @occurred_at, @correlation_id, @record
      WHERE COALESCE((SELECT MAX(aggregate_version) FROM events WHERE aggregate_id = @aggregate_id), 0) = @aggregate_version - 1`);
    this.selectVersion = db.prepare('SELECT MAX(aggregate_version) AS version FROM events WHERE aggregate_id = ?');
    this.selectHead = db.prepare('SELECT MAX(position) AS head FROM events');
    this.selectAll = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
    this.selectStream = db.prepare(
      'SELECT * FROM events WHERE aggregate_id = ? AND aggregate_version > ? ORDER BY aggregate_version LIMIT ?',
    );
    this.selectRange = db.prepare(
      'SELECT * FROM events WHERE occurred_at >= ? AND occurred_at < ? AND position > ? ORDER BY position LIMIT ?',
    );
    this.selectRangeOfAggregate = db.prepare(`
      SELECT * FROM events WHERE aggregate_id = ? AND occurred_at >= ? AND occurred_at < ? AND position > ?
      ORDER BY position LIMIT ?`);
    this.selectRecordsAfter = db.prepare(
      'SELECT position, aggregate_id AS key, record FROM events WHERE position > ? ORDER BY position LIMIT ?',
    );
  }

  currentVersion(aggregateId: string): number {
    return this.selectVersion.get(aggregateId)?.version ?? 0;
  }

  headPosition(): number {
    return this.selectHead.get()?.head ?? 0;
  }
}
