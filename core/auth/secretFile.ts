import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
  const secret = randomBytes(48).toString('base64url');
  try {
    // 'wx' refuses to overwrite a secret another process created a moment ago.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return secret;
  } catch (error) {
    const raced = readSecret(path);
    if (raced !== undefined) return raced;
    throw error;
  }
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
