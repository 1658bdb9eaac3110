import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteDatabase, probeSqliteWritable } from '../../../adapters/embedded';
import { StoreWriteProbe } from '../../../handlers/local/StoreWriteProbe';

let dir: string;
let file: string;
let db: Database.Database;
let other: Database.Database;
let clockMs: number;
let probes: number;

function probeOf(options: { cacheMs?: number; busyAttempts?: number } = {}): StoreWriteProbe {
  return new StoreWriteProbe(
    () => {
      probes += 1;
      probeSqliteWritable(db, file, { busyTimeoutMs: 0 });
    },
    { busyPauseMs: 1, now: () => clockMs, ...options },
  );
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-probe-'));
  file = join(dir, 'nexus.db');
  db = openSqliteDatabase(file);
  other = new Database(file);
  clockMs = 0;
  probes = 0;
});

afterEach(() => {
  if (other.inTransaction) other.exec('ROLLBACK');
  other.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('StoreWriteProbe', () => {
  it('probes the database once for every check within its cache time, and again after it', async () => {
    // given a probe that remembers its verdict for a second
    const probe = probeOf({ cacheMs: 1000 });
    // when /health is asked many times at once, then again a second later
    await Promise.all(Array.from({ length: 50 }, () => probe.check()));
    clockMs += 999;
    await probe.check();
    clockMs += 1;
    await probe.check();
    // then the write lock was taken twice in all
    expect(probes).toBe(2);
  });

  it('reports a lock another process keeps, and healthy again once it is released', async () => {
    // given another connection that holds the write lock
    other.exec('BEGIN IMMEDIATE');
    other.pragma('user_version = 7');
    const probe = probeOf({ cacheMs: 0, busyAttempts: 3 });
    // when checking while it holds the lock, then after it let go
    const whileLocked = probe.check();
    await expect(whileLocked).rejects.toMatchObject({ code: 'DATABASE_LOCKED' });
    other.exec('ROLLBACK');
    // then the lock was tried three times, and the next check passes
    expect(probes).toBe(3);
    await expect(probe.check()).resolves.toBeUndefined();
  });

  it('waits out a lock that is released between attempts', async () => {
    // given a lock held during the first attempt only
    other.exec('BEGIN IMMEDIATE');
    other.pragma('user_version = 7');
    const probe = new StoreWriteProbe(
      () => {
        probes += 1;
        try {
          probeSqliteWritable(db, file, { busyTimeoutMs: 0 });
        } finally {
          if (other.inTransaction) other.exec('ROLLBACK');
        }
      },
      { cacheMs: 0, busyPauseMs: 1 },
    );
    // when
    const checked = probe.check();
    // then the second attempt succeeds
    await expect(checked).resolves.toBeUndefined();
    expect(probes).toBe(2);
  });
});
