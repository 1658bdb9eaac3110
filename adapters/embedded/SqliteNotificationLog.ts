import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { DocumentChanged } from '../../core/notifications/DocumentChanged';
import { NOTIFICATION_LOG_ERRORS } from '../../core/notifications/NotificationLog';
import type { LoggedNotification, NotificationLog, SyncNotificationPublisher } from '../../core/notifications/NotificationLog';
import { definedOnly } from '../../core/options/definedOnly';
import { sqliteFailureAs } from './sqliteFailureAs';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';

/** Options of {@link SqliteNotificationLog}. */
export interface SqliteNotificationLogOptions {
  /** Entries older than this are pruned. @defaultValue 3600000 (an hour) */
  maxAgeMs?: number;
  /** At most this many newest entries are kept. @defaultValue 100000 */
  maxEntries?: number;
  /** Prune after this many published entries. @defaultValue 1000 */
  pruneEveryEntries?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

const DEFAULTS = {
  maxAgeMs: 3_600_000,
  maxEntries: 100_000,
  pruneEveryEntries: 1000,
  now: (): number => Date.now(),
};

interface NotificationRow {
  position: number;
  resource_type: string;
  doc_id: string;
  version: number;
  event_id: string;
  owner: string | null;
  deleted: number;
}

/**
 * The embedded notification log: a `notifications` table (position, resource type, id, version,
 * event id, owner, deleted, time) in the pipelines' database. Pipelines publish into it inside
 * their batch's shared transaction (SqliteUnitOfWork), so a change is logged exactly when the
 * read-model write it reports commits; the WebSocket server reads it through its own connection.
 *
 * Pruning, every `pruneEveryEntries` published entries: beyond the newest `maxEntries`, and older
 * than `maxAgeMs` among the oldest `2 * pruneEveryEntries` (so pruning by age keeps pace with
 * publishing without scanning the whole log). `prunedThrough` remembers the last pruned position (meta table), and
 * positions are AUTOINCREMENT, never reused once pruned.
 *
 * Errors: `NOTIFICATION_LOG_UNAVAILABLE` (with the SQLite error as cause).
 */
export class SqliteNotificationLog implements NotificationLog, SyncNotificationPublisher {
  private readonly options: typeof DEFAULTS;
  private readonly insertOne: (change: DocumentChanged, at: number) => void;
  private readonly insertAll: Transaction<(changes: readonly DocumentChanged[], at: number) => void>;
  private readonly selectAfter: Statement<[number, number], NotificationRow>;
  private readonly selectHead: Statement<[], { seq: number | null }>;
  private readonly selectPruned: Statement<[], { pruned_through: number }>;
  private readonly pruneAll: Transaction<(at: number) => void>;
  private readonly unitOfWork: SqliteUnitOfWork;
  private sincePrune = 0;

  constructor(db: Database, options: SqliteNotificationLogOptions = {}) {
    this.options = { ...DEFAULTS, ...definedOnly(options) };
    this.unitOfWork = SqliteUnitOfWork.of(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS notifications (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        resource_type TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        owner TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        logged_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS notifications_meta (id INTEGER PRIMARY KEY CHECK (id = 1), pruned_through INTEGER NOT NULL);
      INSERT OR IGNORE INTO notifications_meta (id, pruned_through) VALUES (1, 0)`);
    const insert = db.prepare<[string, string, number, string, string | null, number, number]>(
      'INSERT INTO notifications (resource_type, doc_id, version, event_id, owner, deleted, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertOne = (c, at) => {
      insert.run(c.resourceType, c.id, c.version, c.eventId, c.owner ?? null, c.deleted === true ? 1 : 0, at);
    };
    this.insertAll = db.transaction((changes: readonly DocumentChanged[], at: number) => {
      for (const c of changes) this.insertOne(c, at);
    });
    this.selectAfter = db.prepare('SELECT position, resource_type, doc_id, version, event_id, owner, deleted FROM notifications WHERE position > ? ORDER BY position LIMIT ?');
    // The sequence, not MAX(position): the head stays where it was once everything is pruned.
    this.selectHead = db.prepare("SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'notifications') AS seq");
    this.selectPruned = db.prepare('SELECT pruned_through FROM notifications_meta WHERE id = 1');
    // Only the oldest entries are looked at (entries are logged in time order): no index on
    // logged_at for every insert to maintain, and no scan of the whole log per prune.
    const lastOld = db.prepare<[number, number], { position: number | null }>(
      'SELECT MAX(position) AS position FROM (SELECT position, logged_at FROM notifications ORDER BY position LIMIT ?) WHERE logged_at < ?',
    );
    const deleteThrough = db.prepare<[number]>('DELETE FROM notifications WHERE position <= ?');
    const setPruned = db.prepare<[number]>('UPDATE notifications_meta SET pruned_through = MAX(pruned_through, ?) WHERE id = 1');
    this.pruneAll = db.transaction((at: number) => {
      const byAge = lastOld.get(2 * this.options.pruneEveryEntries, at - this.options.maxAgeMs)?.position ?? 0;
      const bySize = (this.selectHead.get()?.seq ?? 0) - this.options.maxEntries;
      const through = Math.max(byAge, bySize);
      if (through <= 0) return;
      deleteThrough.run(through);
      setPruned.run(through);
    });
  }

  async publish(changes: readonly DocumentChanged[]): Promise<void> {
    this.publishNow(changes);
    // Inside a pipeline batch's shared transaction, the entries are durable (and visible) only at its commit.
    await this.unitOfWork.durable();
  }

  /** Logs `changes` now; inside a shared transaction (a pipeline batch) they commit with it. */
  publishNow(changes: readonly DocumentChanged[]): void {
    if (changes.length === 0) return;
    // One change (what `notify` publishes per record) is one INSERT, atomic on its own: no
    // SAVEPOINT and RELEASE around it inside the batch's transaction, per record.
    const [only] = changes;
    sqliteFailureAs(NOTIFICATION_LOG_ERRORS.STORE_UNAVAILABLE, 'logging notifications', () =>
      changes.length === 1 && only !== undefined ? this.insertOne(only, this.options.now()) : this.insertAll.immediate(changes, this.options.now()),
    );
    this.sincePrune += changes.length;
    if (this.sincePrune >= this.options.pruneEveryEntries) this.prune();
  }

  /** Prunes now (it also runs every `pruneEveryEntries` published entries). */
  prune(): void {
    this.sincePrune = 0;
    sqliteFailureAs(NOTIFICATION_LOG_ERRORS.STORE_UNAVAILABLE, 'pruning notifications', () => this.pruneAll.immediate(this.options.now()));
  }

  async readAfter(position: number, limit: number): Promise<LoggedNotification[]> {
    return this.readAfterNow(position, limit);
  }

  /** {@link readAfter}, answered synchronously. */
  readAfterNow(position: number, limit: number): LoggedNotification[] {
    const rows = sqliteFailureAs(NOTIFICATION_LOG_ERRORS.STORE_UNAVAILABLE, 'reading notifications', () => this.selectAfter.all(position, limit));
    return rows.map(entryOf);
  }

  async headPosition(): Promise<number> {
    return sqliteFailureAs(NOTIFICATION_LOG_ERRORS.STORE_UNAVAILABLE, 'reading the notification head', () => this.selectHead.get()?.seq ?? 0);
  }

  async prunedThrough(): Promise<number> {
    return sqliteFailureAs(NOTIFICATION_LOG_ERRORS.STORE_UNAVAILABLE, 'reading the notification log', () => this.selectPruned.get()?.pruned_through ?? 0);
  }
}

function entryOf(row: NotificationRow): LoggedNotification {
  const change: DocumentChanged = {
    resourceType: row.resource_type,
    id: row.doc_id,
    version: row.version,
    eventId: row.event_id,
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.deleted === 1 ? { deleted: true } : {}),
  };
  return { position: row.position, change };
}
