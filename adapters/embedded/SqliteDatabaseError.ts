import { NexusError } from '../../core/errors/NexusError';

/** Codes of {@link SqliteDatabaseError}: why a database file cannot be used. */
export const SQLITE_DATABASE_ERRORS = {
  /** The file cannot be opened or created (no such directory, a directory, no permission). */
  CANNOT_OPEN: 'DATABASE_CANNOT_OPEN',
  /** The file or its directory cannot be written (read-only file system, permissions). */
  READ_ONLY: 'DATABASE_READ_ONLY',
  /** The file is not a SQLite database, or its schema is damaged. */
  CORRUPT: 'DATABASE_CORRUPT',
  /** Another connection held the write lock longer than the busy timeout. */
  LOCKED: 'DATABASE_LOCKED',
  /** Any other failure of the engine or the disk (I/O error, disk full). */
  UNAVAILABLE: 'DATABASE_UNAVAILABLE',
} as const;

/** One of {@link SQLITE_DATABASE_ERRORS}. */
export type SqliteDatabaseErrorCode = (typeof SQLITE_DATABASE_ERRORS)[keyof typeof SQLITE_DATABASE_ERRORS];

/**
 * A database file that cannot be opened or written. The message starts with the file's path and
 * says why in words; `details.file` is the path and `details.sqliteCode` SQLite's own code; the
 * original error is the `cause`.
 */
export class SqliteDatabaseError extends NexusError {
  constructor(code: SqliteDatabaseErrorCode, file: string, reason: string, cause?: unknown) {
    const sqliteCode = sqliteCodeOf(cause);
    super(code, `${file} ${reason}${sqliteCode === undefined ? '' : ` (${sqliteCode})`}`, { cause, details: { file, ...(sqliteCode === undefined ? {} : { sqliteCode }) } });
  }

  /** Translates a failure of better-sqlite3 (or of the file system beneath it) on `file`. */
  static from(file: string, cause: unknown): SqliteDatabaseError {
    const code = sqliteCodeOf(cause) ?? '';
    if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'EROFS') {
      return new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.READ_ONLY, file, 'cannot be written (read-only file system or file)', cause);
    }
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      return new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.CORRUPT, file, 'is not a SQLite database or is damaged; restore it from a backup or move it away', cause);
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.LOCKED, file, 'is locked by another connection (is another Nexus using this data directory?)', cause);
    }
    if (code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.CANNOT_OPEN, file, 'cannot be opened or created (missing directory, not a regular file, or no permission)', cause);
    }
    if (code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
      return new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.CANNOT_OPEN, file, 'cannot be read or written (no permission)', cause);
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    return new SqliteDatabaseError(SQLITE_DATABASE_ERRORS.UNAVAILABLE, file, `cannot be used: ${message}`, cause);
  }
}

/** True when `error` is a {@link SqliteDatabaseError} (by its code, so it holds across realms). */
export function isSqliteDatabaseError(error: unknown): error is SqliteDatabaseError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (Object.values(SQLITE_DATABASE_ERRORS) as string[]).includes(code);
}

function sqliteCodeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
