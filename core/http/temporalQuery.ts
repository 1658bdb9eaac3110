import { randomBytes } from 'node:crypto';
import type { AggregateDefinition } from '../command/AggregateDefinition';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { queryParametersOf } from './queryParameters';
import type { TemporalChange, TemporalReplaySources } from './temporalReplay';

export { replayAsOf } from './temporalReplay';

/** What temporal queries replay: the event store, the codec, upcasters and the aggregates served. */
export interface TemporalQueryDependencies extends TemporalReplaySources {
  /** An aggregate type served (kept for the single-aggregate wiring of earlier versions). */
  aggregate?: AggregateDefinition;
  /** Every aggregate type served at `/api/queries/temporal/{aggregateType}/{id}`, besides `aggregate`. */
  aggregates?: readonly AggregateDefinition[];
}

/** Limits of temporal queries (DESIGN.md, service levels). */
export interface TemporalQueryOptions {
  /** Widest `since`..`asOf` range. @defaultValue 90 */
  maxRangeDays?: number;
  /** Longest a replay may run before it is abandoned with `QUERY_TIMEOUT`. @defaultValue 30000 */
  timeoutMs?: number;
  /**
   * Most events one request reads; past it the answer is partial (`complete: false`) with a
   * `continuation`. @defaultValue 10000
   */
  maxEventsPerRequest?: number;
  /**
   * Key signing continuation tokens. Every instance serving the API must share it, or a token
   * issued by one is refused by another. @defaultValue 32 random bytes, drawn once per process
   */
  continuationKey?: Uint8Array | string;
  /** Milliseconds now, for the timeout. @defaultValue Date.now */
  clock?: () => number;
}

/** Defaults of {@link TemporalQueryOptions}. */
export const TEMPORAL_QUERY_DEFAULTS: Required<TemporalQueryOptions> = {
  maxRangeDays: 90,
  timeoutMs: 30_000,
  maxEventsPerRequest: 10_000,
  continuationKey: randomBytes(32),
  clock: () => Date.now(),
};

/** The parameters of `GET /api/queries/temporal/{aggregateType}/{id}`. */
export interface TemporalQuery {
  asOf: Date;
  /** When given, the answer also lists the changes in [since, asOf]. */
  since?: Date;
  /** The token of a partial answer to the same query, to resume it. */
  continuation?: string;
}

/** An aggregate's state as of a moment, folded from its events up to then. */
export interface TemporalState {
  aggregateId: string;
  asOf: string;
  /** The aggregate version as of `asOf` (0: it did not exist yet); in a partial answer, the last version folded. */
  version: number;
  state: unknown;
  /** The changes in [since, asOf] folded by this request (a chain of partial answers lists each once). */
  changes?: TemporalChange[];
  /** False when the event cap stopped the replay before asOf: ask again with `continuation`. */
  complete: boolean;
  /** Present when `complete` is false: resumes the replay exactly where it stopped. */
  continuation?: string;
}

const DAY_MS = 86_400_000;
const PARAMETERS = new Set(['asOf', 'since', 'continuation']);

/**
 * Reads `asOf` (required, ISO-8601 with a time zone), `since` (optional, not after `asOf`, at
 * most `maxRangeDays` before it) and `continuation` (optional; its token is checked where it is
 * used). Throws `INVALID_QUERY_PARAMETER` naming the parameter.
 */
export function parseTemporalQuery(url: URL, maxRangeDays: number = TEMPORAL_QUERY_DEFAULTS.maxRangeDays): TemporalQuery {
  const params = queryParametersOf(url);
  for (const name of params.keys()) {
    if (!PARAMETERS.has(name)) throw invalid(name, `unknown query parameter "${name}"; use asOf, since and continuation`);
  }
  const asOfText = params.get('asOf');
  if (asOfText === null) throw invalid('asOf', 'asOf is required: an ISO-8601 time such as 2026-01-31T12:00:00Z');
  const asOf = instant('asOf', asOfText);
  const continuation = params.get('continuation');
  if (continuation === '') throw invalid('continuation', 'continuation must be the token of a partial answer');
  const resume = continuation === null ? {} : { continuation };
  const sinceText = params.get('since');
  if (sinceText === null) return { asOf, ...resume };
  const since = instant('since', sinceText);
  if (since > asOf) throw invalid('since', 'since must not be after asOf');
  if (asOf.getTime() - since.getTime() > maxRangeDays * DAY_MS) {
    throw invalid('since', `the range since..asOf must not exceed ${maxRangeDays} days`);
  }
  return { asOf, since, ...resume };
}

function instant(name: string, text: string): Date {
  // A time without a zone would be read in the server's zone; demand one so answers do not drift.
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const date = new Date(text);
  if (!ok || Number.isNaN(date.getTime())) throw invalid(name, `${name} must be an ISO-8601 time with a zone, such as 2026-01-31T12:00:00Z`);
  return date;
}

function invalid(field: string, message: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, message, { field });
}
