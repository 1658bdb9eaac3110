import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeDirectory } from '../../../adapters/embedded/makeDirectory';
import { openSqliteDatabase, probeSqliteWritable } from '../../../adapters/embedded/openSqliteDatabase';
import { SQLITE_DATABASE_ERRORS } from '../../../adapters/embedded/SqliteDatabaseError';
import { canMount, readOnlyView } from '../../support/scratchMounts';

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

describe('openSqliteDatabase refuses a file it cannot use, naming it', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'nexus-open-fault-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('refuses a file that is not a SQLite database as DATABASE_CORRUPT', () => {
    // given a file of random bytes where the database should be
    const file = join(directory, 'nexus.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    // when opening it
    const open = (): unknown => openSqliteDatabase(file);
    // then the error names the file and the fault
    expect(open).toThrow(expect.objectContaining({ code: SQLITE_DATABASE_ERRORS.CORRUPT, details: expect.objectContaining({ file }) }));
    expect(open).toThrow(`${file} is not a SQLite database or is damaged`);
  });

  it('refuses a database whose schema is damaged as DATABASE_CORRUPT when it opens, not at first use', () => {
    // given a database whose schema records (at the end of page 1) were overwritten on disk
    const file = join(directory, 'nexus.db');
    const writer = new Database(file);
    writer.exec('CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x)');
    const pageSize = Number(writer.pragma('page_size', { simple: true }));
    writer.close();
    const bytes = readFileSync(file);
    bytes.fill(0xff, pageSize - 120, pageSize);
    writeFileSync(file, bytes);
    // when opening it
    const open = (): unknown => openSqliteDatabase(file);
    // then it is refused at open, naming the file
    expect(open).toThrow(expect.objectContaining({ code: SQLITE_DATABASE_ERRORS.CORRUPT, details: expect.objectContaining({ file }) }));
  });

  it('refuses a directory where the database file should be as DATABASE_CANNOT_OPEN', () => {
    // given a directory named like the database
    const file = join(directory, 'nexus.db');
    mkdirSync(file);
    // when opening it
    const open = (): unknown => openSqliteDatabase(file);
    // then
    expect(open).toThrow(expect.objectContaining({ code: SQLITE_DATABASE_ERRORS.CANNOT_OPEN }));
    expect(open).toThrow(file);
  });

  it('refuses a database whose write lock another connection holds beyond the busy timeout as DATABASE_LOCKED', () => {
    // given another connection in the middle of a write transaction
    const file = join(directory, 'nexus.db');
    const other = openSqliteDatabase(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      // when opening the file with a short busy timeout
      const open = (): unknown => openSqliteDatabase(file, { busyTimeoutMs: 20 });
      // then it is refused rather than opened for writes that would all fail
      expect(open).toThrow(expect.objectContaining({ code: SQLITE_DATABASE_ERRORS.LOCKED }));
      expect(open).toThrow(/is locked by another connection/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('refuses a database on a read-only file system that still holds its WAL files as DATABASE_READ_ONLY', () => {
    // given a database with unfinished WAL files, seen through a read-only mount (as after a
    // crash and a remount read-only; root ignores permission bits, so a mount it must be)
    expect(canMount()).toBe(true);
    const file = join(directory, 'nexus.db');
    const writer = openSqliteDatabase(file);
    writer.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    const view = readOnlyView(directory);
    try {
      expect(existsSync(join(view.path, 'nexus.db-wal'))).toBe(true);
      // when opening it for writing
      const open = (): unknown => openSqliteDatabase(join(view.path, 'nexus.db'));
      // then it is refused: SQLite alone would open it read-only without a word
      expect(open).toThrow(expect.objectContaining({ code: SQLITE_DATABASE_ERRORS.READ_ONLY }));
      expect(open).toThrow(`${join(view.path, 'nexus.db')} cannot be written`);
    } finally {
      view.dispose();
      writer.close();
    }
  });
});

describe('probeSqliteWritable', () => {
  it('passes on a writable database and changes nothing', () => {
    // given a database with a user_version
    const db = openSqliteDatabase(':memory:');
    db.pragma('user_version = 7');
    // when probing it
    probeSqliteWritable(db, ':memory:');
    // then the version is unchanged and no transaction is left open
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('fails on a closed connection, naming the file', () => {
    // given a closed connection
    const db = openSqliteDatabase(':memory:');
    db.close();
    // when probing it
    const probe = (): unknown => probeSqliteWritable(db, 'events.db');
    // then
    expect(probe).toThrow(expect.objectContaining({ code: SQLITE_DATABASE_ERRORS.UNAVAILABLE, details: { file: 'events.db' } }));
  });
});

describe('makeDirectory', () => {
  it('creates missing parents', () => {
    // given a path three levels below a fresh directory
    const root = mkdtempSync(join(tmpdir(), 'nexus-mkdir-'));
    const target = join(root, 'a', 'b', 'c');
    // when
    makeDirectory(target);
    // then
    expect(existsSync(target)).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });

  it('fails under /proc instead of spinning as Node\'s recursive mkdir does', () => {
    // given /proc, which refuses new entries with ENOENT although it exists
    // when creating a directory two levels below it
    const make = (): unknown => makeDirectory('/proc/nexus-x/y');
    // then it fails at once with the file system's error
    expect(make).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
