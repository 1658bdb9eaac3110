import type { Database, Statement } from 'better-sqlite3';
import { NexusError } from '../../core/errors/NexusError';
import { RATE_LIMIT_STORE_ERRORS } from '../../core/auth/RateLimitStore';
import type { RateLimitCount, RateLimitStore } from '../../core/auth/RateLimitStore';

/**
 * Request counts per key in the `rate_limit_windows` table: one row per key holding its current
 * fixed window (aligned to multiples of the window length since the epoch) and its count. A hit
 * is one upsert statement, so concurrent hits from several processes on the file are all counted.
 * A SQLite failure rejects with `RATE_LIMIT_STORE_UNAVAILABLE`.
 *
 * @example
 * const limits = new SqliteRateLimitStore(db);
 * const { count, resetAt } = await limits.hit('temporal-queries:alice', 60, new Date());
 */
export class SqliteRateLimitStore implements RateLimitStore {
  private readonly upsert: Statement<[string, number], { count: number }>;

  constructor(db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS rate_limit_windows (
        key TEXT PRIMARY KEY,
        window_start_ms INTEGER NOT NULL,
        count INTEGER NOT NULL
      )`);
    // A hit in a newer window starts its count again; a late hit for an older window (clock
    // skew between processes) is counted in the stored, newer one rather than rewinding it.
    this.upsert = db.prepare(`
      INSERT INTO rate_limit_windows (key, window_start_ms, count) VALUES (?, ?, 1)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN excluded.window_start_ms > rate_limit_windows.window_start_ms THEN 1 ELSE rate_limit_windows.count + 1 END,
        window_start_ms = MAX(excluded.window_start_ms, rate_limit_windows.window_start_ms)
      RETURNING count`);
  }

  async hit(key: string, windowSeconds: number, now: Date): Promise<RateLimitCount> {
    if (!(Number.isInteger(windowSeconds) && windowSeconds > 0)) throw new RangeError(`windowSeconds must be a positive integer; got ${windowSeconds}`);
    const windowMs = windowSeconds * 1000;
    const windowStartMs = Math.floor(now.getTime() / windowMs) * windowMs;
    let row: { count: number } | undefined;
    try {
      row = this.upsert.get(key, windowStartMs);
    } catch (cause) {
      throw new NexusError(RATE_LIMIT_STORE_ERRORS.STORE_UNAVAILABLE, `could not count a request for ${key}`, { cause, details: { key } });
    }
    return { count: row?.count ?? 1, resetAt: new Date(windowStartMs + windowMs) };
  }
}
