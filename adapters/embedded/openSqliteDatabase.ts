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
}

const DEFAULTS: Required<OpenSqliteDatabaseOptions> = {
  readonly: false,
  synchronous: 'NORMAL',
  busyTimeoutMs: 5000,
};

const IN_MEMORY = ':memory:';

/**
 * Opens (creating it and its parent directory when missing) a SQLite database tuned for Nexus:
 * WAL journal, foreign keys on, a busy timeout, and the chosen durability level.
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
  return db;
}
