import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of a token's tag: 128 bits, as long as a forgery needs to be unguessable. */
const TAG_BYTES = 16;

/**
 * The tag of `content` under `key` for tokens of one `purpose` (a continuation, a cursor):
 * HMAC-SHA-256 cut to 128 bits, base64url. The purpose keeps a tag of one kind of token from
 * ever checking as another.
 */
export function tokenTag(key: Uint8Array | string, purpose: string, content: string): string {
  return createHmac('sha256', key).update(`${purpose}.${content}`).digest().subarray(0, TAG_BYTES).toString('base64url');
}

/**
 * Whether `given` is the tag of `content`, compared in constant time as text: decoding base64url
 * would ignore the spare bits of the last character, and accept a tag altered there.
 */
export function tokenTagMatches(key: Uint8Array | string, purpose: string, content: string, given: string): boolean {
  const expected = Buffer.from(tokenTag(key, purpose, content));
  const candidate = Buffer.from(given);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
