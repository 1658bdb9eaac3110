import { closeSync, openSync, statSync, statfsSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { makeDirectory } from '../../adapters/embedded';
import { NexusError } from '../../core/errors/NexusError';

/** Code of {@link DataDirectoryError}. */
export const DATA_DIRECTORY_UNUSABLE = 'DATA_DIR_UNUSABLE';

/** A data directory that cannot hold the embedded system's files; the message names it and says why. */
export class DataDirectoryError extends NexusError {
  constructor(dataDir: string, reason: string, cause?: unknown) {
    super(DATA_DIRECTORY_UNUSABLE, `data directory ${dataDir} ${reason}`, { cause, details: { dataDir } });
  }
}

/**
 * Linux `statfs` magic numbers of file systems that show kernel state rather than store files
 * (linux/magic.h). Creating a directory there fails in odd ways (ENOENT under /proc, which made
 * Node's recursive mkdir spin forever), so they are refused by name up front.
 */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x6e736673, 'nsfs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x958458f6, 'hugetlbfs'],
]);

/**
 * Makes sure `dataDir` can hold the embedded system's files before any database is opened, and
 * returns its absolute path: it is (or can be created as) a directory, not on a pseudo file
 * system, and a file can be created in it. Running as root does not hide a read-only mount or an
 * immutable directory: the check creates and removes a real file.
 *
 * Errors: {@link DataDirectoryError} (`DATA_DIR_UNUSABLE`) saying which of these failed.
 *
 * @example
 * const dir = prepareDataDirectory('./.nexus'); // '/home/me/app/.nexus', created when missing
 */
export function prepareDataDirectory(dataDir: string): string {
  const absolute = resolve(dataDir);
  const existing = nearestExisting(absolute);
  if (!statSync(existing).isDirectory()) {
    throw new DataDirectoryError(absolute, existing === absolute ? 'is a file, not a directory' : `cannot be created: ${existing} is a file, not a directory`);
  }
  const pseudo = pseudoFileSystemOf(existing);
  if (pseudo !== undefined) {
    throw new DataDirectoryError(absolute, `is on a ${pseudo} pseudo file system, which cannot hold files; choose a directory on a disk`);
  }
  try {
    makeDirectory(absolute);
  } catch (cause) {
    throw new DataDirectoryError(absolute, `cannot be created: ${reasonOf(cause)}`, cause);
  }
  const probe = join(absolute, `.write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (cause) {
    throw new DataDirectoryError(absolute, `is not writable: ${reasonOf(cause)}`, cause);
  }
  return absolute;
}

/** `path` itself, or its closest ancestor that exists. */
function nearestExisting(path: string): string {
  for (let current = path; ; current = dirname(current)) {
    try {
      statSync(current);
      return current;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // ENOTDIR: a component on the way is a file; its ancestors tell which.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(current) === current) throw new DataDirectoryError(path, `cannot be inspected: ${reasonOf(error)}`, error);
    }
  }
}

function pseudoFileSystemOf(path: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // statfs reports the type as a signed or unsigned number depending on the platform.
    return PSEUDO_FILE_SYSTEMS.get(Number(statfsSync(path).type) >>> 0);
  } catch {
    return undefined;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (permissions, or an immutable directory)',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a component of the path is a file, not a directory',
  ENOENT: 'the file system refused to create it',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'string' ? REASONS[code] : undefined;
  if (known !== undefined) return `${known} (${String(code)})`;
  return error instanceof Error ? error.message : String(error);
}
