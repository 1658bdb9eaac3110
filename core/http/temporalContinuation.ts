import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { tokenTag, tokenTagMatches } from './tokenMac';

/** The query a continuation belongs to: a token is refused with any other. */
export interface TemporalQueryKey {
  /** The aggregate type as declared (`Order`), whichever URL segment named it. */
  aggregateType: string;
  aggregateId: string;
  /** `Date#toISOString()` of asOf. */
  asOf: string;
  /** `Date#toISOString()` of since, or null. */
  since: string | null;
}

/** Where a partial replay stopped: the last version folded and the state folded up to it. */
export interface TemporalResumePoint {
  version: number;
  state: unknown;
}

const TOKEN_VERSION = 1;
const PURPOSE = 'nexus-temporal-continuation';
/** Far above any state a URL could carry; bounds the inflation of a token we signed ourselves. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Opaque, signed continuation tokens of temporal queries. A token carries the folded state itself
 * (JSON, deflated, base64url), so that resuming costs no rescan and every request stays within its
 * event cap; an HMAC-SHA-256 under `key` over the whole content (query key included) means a
 * client can neither forge a state, which the owner check of the authorization policy reads, nor
 * carry a token over to another aggregate, id, asOf or since.
 *
 * Tokens never expire: the events up to a version never change. A token signed under another key
 * (another process without a shared key, or a rotated key) is refused like a tampered one.
 */
export class TemporalContinuation {
  constructor(private readonly key: Uint8Array | string) {}

  /** The token that resumes `query` after `point`. */
  issue(query: TemporalQueryKey, point: TemporalResumePoint): string {
    const content = { v: TOKEN_VERSION, t: query.aggregateType, i: query.aggregateId, a: query.asOf, s: query.since, n: point.version, st: point.state };
    const body = deflateRawSync(Buffer.from(JSON.stringify(content), 'utf8')).toString('base64url');
    return `${body}.${tokenTag(this.key, PURPOSE, body)}`;
  }

  /**
   * The resume point inside `token`, after checking its signature and that it belongs to `query`.
   * Throws 400 `INVALID_QUERY_PARAMETER` naming `continuation` otherwise.
   */
  resume(token: string, query: TemporalQueryKey): TemporalResumePoint {
    if (!TOKEN_SHAPE.test(token)) throw refused('continuation is not a token this API issued');
    const [body = '', mac = ''] = token.split('.');
    if (!tokenTagMatches(this.key, PURPOSE, body, mac)) {
      throw refused('continuation was altered, or was issued by another deployment: start again without it');
    }
    const content = contentOf(body);
    if (content.t !== query.aggregateType || content.i !== query.aggregateId || content.a !== query.asOf || content.s !== query.since) {
      throw refused('continuation belongs to another query: resume with the aggregate type, id, asOf and since it was issued for');
    }
    return { version: content.n, state: content.st };
  }
}

interface TokenContent {
  v: number;
  t: string;
  i: string;
  a: string;
  s: string | null;
  n: number;
  st: unknown;
}

function contentOf(body: string): TokenContent {
  // The signature held, so this is our own JSON; a shape check still guards against a key reused
  // by an older token format.
  const parsed = JSON.parse(inflateRawSync(Buffer.from(body, 'base64url'), { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8')) as Partial<TokenContent>;
  if (parsed.v !== TOKEN_VERSION || typeof parsed.n !== 'number' || !Number.isInteger(parsed.n) || parsed.n < 0) throw refused('continuation has a format this API no longer reads');
  return parsed as TokenContent;
}

function refused(message: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, message, { field: 'continuation' });
}
