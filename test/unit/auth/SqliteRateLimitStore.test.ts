import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteRateLimitStore } from '../../../adapters/embedded';

const at = (iso: string): Date => new Date(iso);

// The behaviour every RateLimitStore shares is in test/contract/rateLimitStoreContract.ts; here, SQLite's own.
describe('SqliteRateLimitStore', () => {
  let db: Database.Database;
  let store: SqliteRateLimitStore;

  beforeEach(() => {
    db = new Database(':memory:');
    store = new SqliteRateLimitStore(db);
  });

  afterEach(() => db.close());

  it('shares counts between connections to the same file', async () => {
    // given two stores on one database file
    const dir = mkdtempSync(join(tmpdir(), 'nexus-rate-'));
    const first = new Database(join(dir, 'limits.db'));
    const second = new Database(join(dir, 'limits.db'));
    try {
      await new SqliteRateLimitStore(first).hit('k', 60, at('2026-03-01T10:00:00Z'));
      // when
      const counted = await new SqliteRateLimitStore(second).hit('k', 60, at('2026-03-01T10:00:01Z'));
      // then
      expect(counted.count).toBe(2);
    } finally {
      first.close();
      second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects with RATE_LIMIT_STORE_UNAVAILABLE when the database is closed', async () => {
    // given
    db.close();
    // when
    const hit = store.hit('k', 60, new Date());
    // then
    await expect(hit).rejects.toMatchObject({ code: 'RATE_LIMIT_STORE_UNAVAILABLE' });
    db = new Database(':memory:');
  });
});
