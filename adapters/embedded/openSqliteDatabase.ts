import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { makeDirectory } from './makeDirectory';
import { SqliteDatabaseError } from './SqliteDatabaseError';

/** Options of {@link openSqliteDatabase}. */
export interface OpenSqliteDatabaseOptions {
  /**
   * Opens the file read-only (it must exist); WAL mode is then left as the writer set it.
   * @defaultValue false
   */
  readonly?: boolean;
  /**
   * `NORMAL` in WAL mode survives a process crash; `FULL` also survives a power loss, at the
   * cost of an fsync per commit.
   * @defaultValue 'NORMAL'
   */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * How long a writer waits for another connection's lock before failing with SQLITE_BUSY.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number;
  /**
   * Page cache of this connection, in KiB (a file database; an in-memory one keeps every page).
   * better-sqlite3's build default is 16 MiB per connection, and the embedded system opens five:
   * those caches filling as the files grew were most of the server's RSS growth in a soak
   * (docs/performance.md, round 4). Pages not cached are read from the OS page cache.
   * @defaultValue 4096
   */
  cacheSizeKiB?: number;
}

const DEFAULTS: Required<OpenSqliteDatabaseOptions> = {
  readonly: false,
  synchronous: 'NORMAL',
  busyTimeoutMs: 5000,
  cacheSizeKiB: 4096,
};

const IN_MEMORY = ':memory:';

/**
 * Opens (creating it and its parent directory when missing) a SQLite database tuned for Nexus:
 * WAL journal, foreign keys on, a busy timeout, a bounded page cache, and the chosen durability
 * level.
 * `':memory:'` opens a private in-memory database.
 *
 * A file opened for writing is proved writable before it is returned (see
 * {@link probeSqliteWritable}): SQLite opens a file it cannot write read-only without a word, and
 * the first append would fail instead of the start.
 *
 * Errors: {@link SqliteDatabaseError}, naming the file: `DATABASE_CANNOT_OPEN`,
 * `DATABASE_READ_ONLY`, `DATABASE_CORRUPT` (not a database, or its schema is damaged),
 * `DATABASE_LOCKED` (another connection held the write lock for the whole busy timeout),
 * `DATABASE_UNAVAILABLE`.
 *
 * @example
 * const db = openSqliteDatabase('.nexus/nexus.db');
 * const store = new SqliteEventStore(db, codec);
 */
export function openSqliteDatabase(file: string, options: OpenSqliteDatabaseOptions = {}): SqliteDatabase {
  const settings = { ...DEFAULTS, ...options };
  const inMemory = file === IN_MEMORY || file === '';
  let db: SqliteDatabase | undefined;
  try {
    if (!inMemory && !settings.readonly) makeDirectory(dirname(file));
    if (!inMemory) refuseNonRegularFile(file);
    db = new Database(file, { readonly: settings.readonly, fileMustExist: settings.readonly });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(settings.busyTimeoutMs))}`);
    if (!settings.readonly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${settings.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // A negative cache_size is a size in KiB rather than a page count.
    if (!inMemory) db.pragma(`cache_size = -${Math.max(0, Math.floor(settings.cacheSizeKiB))}`);
    // Reading the schema now finds a damaged one here, with the file's name, rather than in
    // the first CREATE TABLE of some store.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (!inMemory && !settings.readonly) probeSqliteWritable(db, file);
    return db;
  } catch (error) {
    db?.close();
    throw error instanceof SqliteDatabaseError ? error : SqliteDatabaseError.from(file, error);
  }
}

/**
 * Proves that `db` can take the write lock and change the file, without changing anything: a
 * `BEGIN IMMEDIATE`, a rewrite of `user_version` to its own value, then a rollback. A read-only
 * file system, a file SQLite silently opened read-only, or a lock that another connection
 * holds beyond the busy timeout fail it. Nothing reaches the disk, so a full disk passes.
 * Does nothing while the connection has a transaction open (it is writing, or will find out).
 * `busyTimeoutMs` replaces the connection's busy timeout for the probe alone: a health check on
 * the event loop must not sit out another process's lock for seconds.
 *
 * Errors: {@link SqliteDatabaseError} naming `file` (`DATABASE_READ_ONLY`, `DATABASE_LOCKED`, ...).
 *
 * @example
 * probeSqliteWritable(db, '.nexus/nexus.db'); // throws when the store could not append
 */
export function probeSqliteWritable(db: SqliteDatabase, file: string, options: { busyTimeoutMs?: number } = {}): void {
  if (db.inTransaction) return;
  try {
    const busyTimeout = options.busyTimeoutMs === undefined ? undefined : Number(db.pragma('busy_timeout', { simple: true }));
    if (options.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    try {
      db.exec('BEGIN IMMEDIATE');
      const version = Number(db.pragma('user_version', { simple: true }));
      db.pragma(`user_version = ${Number.isSafeInteger(version) ? version : 0}`);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (busyTimeout !== undefined) db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  } catch (error) {
    throw SqliteDatabaseError.from(file, error);
  }
}

/** A FIFO or a device opened as a database blocks or misbehaves: refuse anything but a file. */
function refuseNonRegularFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  if (!isFile) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'SQLITE_CANTOPEN' });
}
