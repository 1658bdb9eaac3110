import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Creates `path` holding `text` (mode 0600) unless it exists, whole or not at all: the text is
 * written and synced under a temporary name beside it, then linked into place, which fails when
 * another process linked first. So processes starting together on one data directory all read
 * the first one's file, and none ever reads it half-written (as `open(path, 'wx')` then `write`
 * would let them). Returns false when the file existed.
 *
 * Errors: the file system's (permissions, a read-only file system, no space), never EEXIST.
 */
export function createFileOnce(path: string, text: string): boolean {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw error;
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created (the open failed): nothing to remove.
    }
  }
}
