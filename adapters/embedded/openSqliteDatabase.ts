import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';

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
 * @example
 * const db = openSqliteDatabase('.nexus/nexus.db');
 * const store = new SqliteEventStore(db, codec);
 */
export function openSqliteDatabase(file: string, options: OpenSqliteDatabaseOptions = {}): SqliteDatabase {
  const settings = { ...DEFAULTS, ...options };
  const inMemory = file === IN_MEMORY || file === '';
  if (!inMemory && !settings.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: settings.readonly, fileMustExist: settings.readonly });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(settings.busyTimeoutMs))}`);
  if (!settings.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${settings.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // A negative cache_size is a size in KiB rather than a page count.
  if (!inMemory) db.pragma(`cache_size = -${Math.max(0, Math.floor(settings.cacheSizeKiB))}`);
  return db;
}
