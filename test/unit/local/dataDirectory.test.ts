import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIRECTORY_UNUSABLE, prepareDataDirectory } from '../../../handlers/local/dataDirectory';
import { scratchDirectory } from '../../support/scratchMounts';

describe('prepareDataDirectory', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nexus-datadir-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a missing directory with its parents, leaves nothing behind and returns its absolute path', () => {
    // given a path two levels below an existing directory
    const dataDir = join(root, 'a', 'data');
    // when
    const prepared = prepareDataDirectory(dataDir);
    // then it exists, is empty (the write probe is gone) and the path is absolute
    expect(prepared).toBe(dataDir);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('refuses a file, saying it is not a directory', () => {
    // given a file where the data directory should be
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    // when
    const prepare = (): unknown => prepareDataDirectory(file);
    // then
    expect(prepare).toThrow(expect.objectContaining({ code: DATA_DIRECTORY_UNUSABLE }));
    expect(prepare).toThrow(`data directory ${file} is a file, not a directory`);
  });

  it('refuses a path below a file, naming the file', () => {
    // given a file on the way to the data directory
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    // when
    const prepare = (): unknown => prepareDataDirectory(join(file, 'data'));
    // then
    expect(prepare).toThrow(`cannot be created: ${file} is a file, not a directory`);
  });

  it('refuses a directory on a pseudo file system such as /proc, at once', () => {
    // given /proc, where Node's recursive mkdir used to spin forever
    // when
    const prepare = (): unknown => prepareDataDirectory('/proc/x');
    // then
    expect(prepare).toThrow('data directory /proc/x is on a proc pseudo file system, which cannot hold files');
  });

  it('refuses an existing directory on a read-only file system, even as root', () => {
    // given a directory that was remounted read-only
    const scratch = scratchDirectory('nexus-datadir-ro-', 256);
    try {
      mkdirSync(join(scratch.path, 'data'));
      scratch.makeReadOnly();
      // when
      const prepare = (): unknown => prepareDataDirectory(join(scratch.path, 'data'));
      // then
      expect(prepare).toThrow(/is not writable: the file system is read-only \(EROFS\)|is not writable: permission denied/);
    } finally {
      scratch.dispose();
    }
  });

  it('refuses a directory that cannot be created on a read-only file system', () => {
    // given a read-only file system
    const scratch = scratchDirectory('nexus-datadir-ro-', 256);
    try {
      scratch.makeReadOnly();
      // when
      const prepare = (): unknown => prepareDataDirectory(join(scratch.path, 'new'));
      // then
      expect(prepare).toThrow(/cannot be created: (the file system is read-only|permission denied)/);
      expect(existsSync(join(scratch.path, 'new'))).toBe(false);
    } finally {
      scratch.dispose();
    }
  });

  it('refuses an immutable directory (chattr +i), which root cannot write either', () => {
    // given a directory marked immutable
    const dataDir = join(root, 'immutable');
    mkdirSync(dataDir);
    execFileSync('chattr', ['+i', dataDir]);
    try {
      // when
      const prepare = (): unknown => prepareDataDirectory(dataDir);
      // then
      expect(prepare).toThrow(`data directory ${dataDir} is not writable: operation not permitted`);
    } finally {
      execFileSync('chattr', ['-i', dataDir]);
    }
  });
});
