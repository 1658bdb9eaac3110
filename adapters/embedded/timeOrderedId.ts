import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made close in
 * time sort close together, so a UNIQUE index on them grows at its right edge: one append
 * dirties one index page instead of a random one, which is most of a commit's WAL writes.
 *
 * @example
 * timeOrderedId(); // '0192f1c4-6e2a-7c31-9d4b-5f0e8a7c2b19'
 */
export function timeOrderedId(now: number = Date.now()): string {
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  // randomUUID is 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx' with the variant bits already set.
  const random = randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
