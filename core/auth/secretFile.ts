import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createFileOnce } from './createFileOnce';

/** Name of the file, in the data directory, holding the embedded system's generated JWT secret. */
export const SECRET_FILE_NAME = 'jwt-secret';

/**
 * Reads the HS256 secret stored at `path`, or, when there is none, generates 48 random bytes,
 * stores them base64url-encoded with 0600 permissions and returns them. Two processes on one data
 * directory (the server and `npm run token`) thus agree on the secret without it being committed
 * or configured.
 */
export function readOrCreateSecretFile(path: string): string {
  const existing = readSecret(path);
  if (existing !== undefined) return existing;
  mkdirSync(dirname(path), { recursive: true });
  // Linked into place whole: a process starting at the same moment never reads a half-written secret.
  createFileOnce(path, `${randomBytes(48).toString('base64url')}\n`);
  const created = readSecret(path);
  if (created === undefined) throw new Error(`secret file ${path} is empty right after it was created`);
  return created;
}

/** The secret stored at `path`, or undefined when the file does not exist. */
export function readSecretFile(path: string): string | undefined {
  return readSecret(path);
}

function readSecret(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}
