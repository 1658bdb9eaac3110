import { createHash } from 'node:crypto';
import type { ReadModelQuery } from '../readmodel/ReadModelStore';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { tokenTag, tokenTagMatches } from './tokenMac';

/**
 * The key of cursor tags when none is configured. Not a secret: it is in the source. Integrity
 * against accidental corruption and casual editing is what a cursor needs, since a forged one
 * can only move the start of a page within a query the caller is allowed to run (the store
 * checks the position's shape, the query keeps its owner filter). A fixed key gives the same
 * tags in every process, so cursors survive restarts and hop between Lambda containers; a
 * random key per process would not. Pass a configured key to refuse cursors of other servers.
 */
export const PUBLIC_CURSOR_KEY = 'nexus/read-model-cursor/v1';

/** What a list cursor is bound to: the served resource type and the query as the store runs it. */
export interface CursorBinding {
  resourceType: string;
  query: ReadModelQuery;
}

/** A cursor whose tag checked: the store's cursor and the fingerprint of the query it continues. */
export interface OpenedCursor {
  inner: string;
  fingerprint: string;
}

const FINGERPRINT_BYTES = 9;
/** Characters of a 128-bit tag in base64url. */
const TAG_CHARS = 22;
const FINGERPRINT_CHARS = (FINGERPRINT_BYTES * 4) / 3;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Seals and opens the cursors of `GET /api/queries/{resourceType}`: the store's cursor, the
 * fingerprint of the query it continues (resource type, equality and range filters, sort and
 * direction; not the limit, which may change from page to page), and an HMAC-SHA256 tag over
 * both: `<store cursor>.<fingerprint>.<tag>`.
 *
 * Refusals (400, field `cursor`): `CURSOR_MALFORMED` (not of this form, e.g. cut short),
 * `CURSOR_TAMPERED` (the tag does not match), `CURSOR_QUERY_MISMATCH` (a cursor of another query).
 */
export class ReadModelCursors {
  private readonly key: Buffer;

  /** `key`: the HMAC key; see {@link PUBLIC_CURSOR_KEY} for the default and why. */
  constructor(key: string | Uint8Array = PUBLIC_CURSOR_KEY) {
    this.key = Buffer.from(key);
  }

  /** The cursor a client gets for the store's cursor `inner` of the query `binding`. */
  seal(inner: string, binding: CursorBinding): string {
    const fingerprint = fingerprintOf(binding);
    return `${inner}.${fingerprint}.${this.tag(inner, fingerprint)}`;
  }

  /** Checks the form and tag of `cursor`; throws `CURSOR_MALFORMED` or `CURSOR_TAMPERED`. */
  open(cursor: string): OpenedCursor {
    const tagAt = cursor.lastIndexOf('.');
    const fingerprintAt = cursor.lastIndexOf('.', tagAt - 1);
    const inner = cursor.slice(0, Math.max(fingerprintAt, 0));
    const fingerprint = cursor.slice(fingerprintAt + 1, tagAt);
    const tag = cursor.slice(tagAt + 1);
    if (fingerprintAt <= 0 || inner.length === 0 || !isPart(fingerprint, FINGERPRINT_CHARS) || !isPart(tag, TAG_CHARS)) {
      throw refused(HTTP_ERRORS.CURSOR_MALFORMED, 'cursor is not a cursor this API issued, or is cut short; use nextCursor as given');
    }
    if (!tokenTagMatches(this.key, fingerprint, inner, tag)) {
      throw refused(HTTP_ERRORS.CURSOR_TAMPERED, 'cursor was altered after this API issued it; use nextCursor as given');
    }
    return { inner, fingerprint };
  }

  /** The store's cursor of `opened` if it continues `binding`; else throws `CURSOR_QUERY_MISMATCH`. */
  innerFor(opened: OpenedCursor, binding: CursorBinding): string {
    if (opened.fingerprint !== fingerprintOf(binding)) throw queryMismatch();
    return opened.inner;
  }

  private tag(inner: string, fingerprint: string): string {
    // The fingerprint in the purpose's place: the tag binds the store's cursor to its query.
    return tokenTag(this.key, fingerprint, inner);
  }
}

/** `CURSOR_QUERY_MISMATCH`: the cursor does not continue this query. */
export function queryMismatch(cause?: unknown): HttpRequestError {
  return refused(HTTP_ERRORS.CURSOR_QUERY_MISMATCH, 'cursor continues another query (other filters, sort or order, or another caller); repeat the query that gave it, or start again without a cursor', cause);
}

function refused(code: typeof HTTP_ERRORS.CURSOR_MALFORMED | typeof HTTP_ERRORS.CURSOR_TAMPERED | typeof HTTP_ERRORS.CURSOR_QUERY_MISMATCH, message: string, cause?: unknown): HttpRequestError {
  return new HttpRequestError(code, message, { field: 'cursor' }, cause);
}

function isPart(part: string, length: number): boolean {
  return part.length === length && BASE64URL.test(part);
}

/** A hash of what the query selects and in which order, keys sorted so that equal queries agree. */
function fingerprintOf({ resourceType, query }: CursorBinding): string {
  const canonical = JSON.stringify([
    resourceType,
    sortedEntries(query.where ?? {}),
    sortedEntries(query.range ?? {}).map(([field, range]) => [field, sortedEntries(range)]),
    query.sortBy ?? 'id',
    query.direction ?? 'asc',
  ]);
  return createHash('sha256').update(canonical).digest().subarray(0, FINGERPRINT_BYTES).toString('base64url');
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
