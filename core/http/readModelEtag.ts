import { createHash } from 'node:crypto';

/**
 * `Cache-Control` of read-model answers. `private`: an answer depends on the caller's grants (a
 * customer's list holds their own orders only), so no shared cache may hand it to someone else.
 * `no-cache`: a read model changes at any moment, and every reuse must come back through
 * authorization (a revoked grant applies at once); revalidating with `If-None-Match` costs a
 * query but not the body.
 */
export const READ_MODEL_CACHE_CONTROL = 'private, no-cache';

/** The answer varies with the caller, whose identity is the `Authorization` header. */
export const READ_MODEL_VARY = 'Authorization';

/**
 * The strong entity tag of a JSON body: a hash of its exact bytes, so two answers share a tag
 * only when they are byte for byte the same (the documents, their versions, the next cursor).
 * Hashing the body rather than ids and versions keeps the tag right when a rebuild changes a
 * document without changing its version.
 */
export function entityTagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest().subarray(0, 18).toString('base64url')}"`;
}

/**
 * One member of an `If-None-Match` list: an optional `W/` and the quoted opaque tag, then `,` or
 * the end; empty members (`a, , b`) are allowed, as RFC 9110 asks of list recipients.
 */
const LIST_MEMBER = /[ \t]*(?:(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(?:,|$)/y;

/**
 * Does `If-None-Match` (RFC 9110, section 13.1.2) match the current answer tagged `etag`? `*`
 * matches any current answer; a list matches when one of its tags equals `etag` by the weak
 * comparison (`W/` ignored). A header that is not a valid list matches nothing (the full answer
 * is sent), so a broken client gets data rather than an error.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  const tags: string[] = [];
  LIST_MEMBER.lastIndex = 0;
  while (LIST_MEMBER.lastIndex < header.length) {
    const member = LIST_MEMBER.exec(header);
    if (member === null) return false;
    if (member[1] !== undefined) tags.push(member[1]);
  }
  return tags.includes(opaque);
}
