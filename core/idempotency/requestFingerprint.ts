import { createHash } from 'node:crypto';

/** What makes two requests "the same request" for an idempotency key. */
export interface FingerprintedRequest {
  /** The operation, e.g. the command type. */
  operation: string;
  /** Who asks (the principal's subject): another subject of the same client never gets this response. */
  subject: string;
  /** The parsed JSON body; key order and whitespace do not matter. */
  body: unknown;
}

/**
 * A SHA-256 (hex) of the operation, the subject and the canonical JSON of the body (object keys
 * sorted at every depth), so that `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` are the same request.
 *
 * @example
 * requestFingerprint({ operation: 'AddItem', subject: 'alice', body }) // '3f1c…'
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  return createHash('sha256').update(JSON.stringify([request.operation, request.subject, canonical(request.body)])).digest('hex');
}

/** The value with every object's keys in sorted order (JSON.stringify keeps insertion order). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  // fromEntries defines own properties, so a "__proto__" member stays data, as JSON.parse made it.
  return Object.fromEntries(Object.keys(value).sort().map((name) => [name, canonical((value as Record<string, unknown>)[name])]));
}
