import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../../adapters/embedded/openSqliteDatabase';

describe('openSqliteDatabase', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'nexus-open-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates the parent directory and opens the file in WAL mode with foreign keys', () => {
    // given a path whose directories do not exist
    const file = join(directory, 'a', 'b', 'nexus.db');
    // when opening it
    const db = openSqliteDatabase(file, { busyTimeoutMs: 1234 });
    // then the file exists and the pragmas are set
    try {
      expect(existsSync(file)).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('uses FULL synchronous when asked', () => {
    // given a file database opened for power-loss durability
    const db = openSqliteDatabase(join(directory, 'full.db'), { synchronous: 'FULL' });
    // when reading the level
    const level = db.pragma('synchronous', { simple: true });
    db.close();
    // then it is FULL (2)
    expect(level).toBe(2);
  });

  it('bounds the page cache at 4 MiB by default, or at the size asked for', () => {
    // given two file databases, one with its own cache size
    const standard = openSqliteDatabase(join(directory, 'standard.db'));
    const small = openSqliteDatabase(join(directory, 'small.db'), { cacheSizeKiB: 512 });
    // when reading their cache sizes (negative: KiB)
    const sizes = [standard.pragma('cache_size', { simple: true }), small.pragma('cache_size', { simple: true })];
    standard.close();
    small.close();
    // then they are bounded, not better-sqlite3's 16 MiB
    expect(sizes).toEqual([-4096, -512]);
  });

  it('opens an in-memory database', () => {
    // given the special name
    // when opening it
    const db = openSqliteDatabase(':memory:');
    const answer = db.prepare('SELECT 42 AS answer').get();
    db.close();
    // then it works without touching the disk
    expect(answer).toEqual({ answer: 42 });
  });

  it('opens an existing file read-only', () => {
    // given a database with a table
    const file = join(directory, 'ro.db');
    const writer = openSqliteDatabase(file);
    writer.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    writer.close();
    // when opening it read-only
    const reader = openSqliteDatabase(file, { readonly: true });
    // then it reads but refuses writes
    try {
      expect(reader.prepare('SELECT x FROM t').get()).toEqual({ x: 1 });
      expect(() => reader.exec('INSERT INTO t VALUES (2)')).toThrow(/readonly/);
    } finally {
      reader.close();
    }
  });
});
