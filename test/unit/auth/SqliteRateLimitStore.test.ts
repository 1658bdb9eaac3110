import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteRateLimitStore } from '../../../adapters/embedded';

const at = (iso: string): Date => new Date(iso);

describe('SqliteRateLimitStore', () => {
  let db: Database.Database;
  let store: SqliteRateLimitStore;

  beforeEach(() => {
    db = new Database(':memory:');
    store = new SqliteRateLimitStore(db);
  });

  afterEach(() => db.close());

  it('counts hits of a key within a window and says when the window resets', async () => {
    // given two hits in the minute starting 10:00
    await store.hit('temporal:alice', 60, at('2026-03-01T10:00:05Z'));
    await store.hit('temporal:alice', 60, at('2026-03-01T10:00:30Z'));
    // when
    const third = await store.hit('temporal:alice', 60, at('2026-03-01T10:00:59.999Z'));
    // then
    expect(third).toEqual({ count: 3, resetAt: at('2026-03-01T10:01:00Z') });
  });

  it('starts again at 1 in the next window', async () => {
    // given
    for (let i = 0; i < 5; i += 1) await store.hit('temporal:alice', 60, at('2026-03-01T10:00:10Z'));
    // when
    const next = await store.hit('temporal:alice', 60, at('2026-03-01T10:01:00Z'));
    // then
    expect(next.count).toBe(1);
  });

  it('counts keys separately', async () => {
    // given
    await store.hit('temporal:alice', 60, at('2026-03-01T10:00:10Z'));
    // when
    const bob = await store.hit('temporal:bob', 60, at('2026-03-01T10:00:10Z'));
    // then
    expect(bob.count).toBe(1);
  });

  it('counts a late hit for an older window in the current one instead of rewinding', async () => {
    // given a hit in the 10:01 window
    await store.hit('temporal:alice', 60, at('2026-03-01T10:01:10Z'));
    // when a process with a slow clock reports a hit at 10:00:59
    const late = await store.hit('temporal:alice', 60, at('2026-03-01T10:00:59Z'));
    const after = await store.hit('temporal:alice', 60, at('2026-03-01T10:01:20Z'));
    // then
    expect(late.count).toBe(2);
    expect(after.count).toBe(3);
  });

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
