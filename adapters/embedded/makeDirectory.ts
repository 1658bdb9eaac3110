import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p` without Node's recursive mkdir, which loops forever at 100 % CPU where a directory
 * exists but refuses children with ENOENT, as /proc does: Node reads that ENOENT as "parent
 * missing", creates the parent (EEXIST), and tries the child again, without end. Here a second
 * ENOENT once the parent exists is thrown as it is.
 *
 * Errors: the file system's (`ENOENT`, `EACCES`, `EROFS`, ...); `ENOTDIR` when `dir` or a parent
 * is a file.
 *
 * @example
 * makeDirectory('.nexus/backups/2026');
 */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST') {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${dir} exists and is not a directory`), { code: 'ENOTDIR' });
      return;
    }
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
    makeDirectory(dirname(dir));
    try {
      mkdirSync(dir);
    } catch (again) {
      if ((again as { code?: unknown }).code !== 'EEXIST') throw again;
    }
  }
}
