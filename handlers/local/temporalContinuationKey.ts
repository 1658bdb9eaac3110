import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce } from '../../core/auth/createFileOnce';
import { NexusError } from '../../core/errors/NexusError';

/** Name of the file, in the data directory, holding the generated key of temporal continuations. */
export const TEMPORAL_CONTINUATION_KEY_FILE = 'temporal-continuation-key';

/** The variable that sets the key instead (every instance of a deployment the same). */
export const TEMPORAL_CONTINUATION_KEY_VARIABLE = 'NEXUS_TEMPORAL_CONTINUATION_KEY';

/** Shortest key accepted: HMAC-SHA-256 keys shorter than its output weaken it (RFC 2104, section 3). */
export const MIN_TEMPORAL_CONTINUATION_KEY_BYTES = 32;

/** Code of {@link ContinuationKeyFileError}. */
export const CONTINUATION_KEY_UNUSABLE = 'CONTINUATION_KEY_UNUSABLE';

/** The key file cannot be read or created; the message names the file, why, and the variable that replaces it. */
export class ContinuationKeyFileError extends NexusError {
  constructor(path: string, reason: string, cause?: unknown) {
    super(CONTINUATION_KEY_UNUSABLE, `temporal continuation key file ${path} ${reason}; fix it, or set ${TEMPORAL_CONTINUATION_KEY_VARIABLE} (or --temporal-continuation-key)`, {
      cause,
      details: { path },
    });
  }
}

/** True when `key` (its UTF-8 bytes) is long enough to sign continuations. */
export function isLongEnoughContinuationKey(key: string): boolean {
  return Buffer.byteLength(key, 'utf8') >= MIN_TEMPORAL_CONTINUATION_KEY_BYTES;
}

/**
 * The key stored in `<dataDir>/temporal-continuation-key`, created on first use: 32 random bytes,
 * base64url (so the text can be copied into NEXUS_TEMPORAL_CONTINUATION_KEY on another host and
 * gives the same key), mode 0600, created whole by `createFileOnce`: processes starting together
 * on one data directory all end up with the first one's key.
 *
 * Errors: {@link ContinuationKeyFileError} (`CONTINUATION_KEY_UNUSABLE`) when the file cannot be
 * read or created (permissions, a read-only file system, a directory in its place) or holds
 * fewer than 32 bytes.
 */
export function readOrCreateContinuationKeyFile(dataDir: string): string {
  const path = join(dataDir, TEMPORAL_CONTINUATION_KEY_FILE);
  const existing = readKey(path);
  if (existing !== undefined) return existing;
  try {
    createFileOnce(path, `${randomBytes(MIN_TEMPORAL_CONTINUATION_KEY_BYTES).toString('base64url')}\n`);
  } catch (error) {
    throw new ContinuationKeyFileError(path, `cannot be created: ${reasonOf(error)}`, error);
  }
  const created = readKey(path);
  if (created === undefined) throw new ContinuationKeyFileError(path, 'vanished right after it was created');
  return created;
}

function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw new ContinuationKeyFileError(path, `cannot be read: ${reasonOf(error)}`, error);
  }
  if (!isLongEnoughContinuationKey(text)) {
    throw new ContinuationKeyFileError(path, `holds fewer than ${MIN_TEMPORAL_CONTINUATION_KEY_BYTES} bytes (delete it to have a new key generated; tokens issued under the old one are then refused)`);
  }
  return text;
}

const REASONS: Readonly<Record<string, string>> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (permissions, or an immutable directory)',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

function reasonOf(error: unknown): string {
  const code = codeOf(error);
  const known = typeof code === 'string' ? REASONS[code] : undefined;
  if (known !== undefined) return `${known} (${String(code)})`;
  return error instanceof Error ? error.message : String(error);
}
