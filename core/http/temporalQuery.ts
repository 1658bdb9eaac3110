import type { AggregateDefinition } from '../command/AggregateDefinition';
import type { EventStore } from '../events/EventStore';
import type { EventCodec } from '../schema/EventCodec';
import type { UpcasterRegistry } from '../upcasting/UpcasterRegistry';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { queryParametersOf } from './queryParameters';

/** What a temporal query replays: the event store, the codec, upcasters and the aggregate's decider. */
export interface TemporalQueryDependencies {
  eventStore: EventStore;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  aggregate: AggregateDefinition;
}

/** Limits of temporal queries (DESIGN.md, service levels). */
export interface TemporalQueryOptions {
  /** Widest `since`..`asOf` range. @defaultValue 90 */
  maxRangeDays?: number;
  /** Longest a replay may run before it is abandoned with `QUERY_TIMEOUT`. @defaultValue 30000 */
  timeoutMs?: number;
}

/** Defaults of {@link TemporalQueryOptions}. */
export const TEMPORAL_QUERY_DEFAULTS: Required<TemporalQueryOptions> = {
  maxRangeDays: 90,
  timeoutMs: 30_000,
};

/** The parameters of `GET /api/queries/temporal/<aggregate>/:id`. */
export interface TemporalQuery {
  asOf: Date;
  /** When given, the answer also lists the changes in [since, asOf]. */
  since?: Date;
}

/** An aggregate's state as of a moment, folded from its events up to then. */
export interface TemporalState {
  aggregateId: string;
  asOf: string;
  /** The aggregate version as of `asOf` (0: it did not exist yet). */
  version: number;
  state: unknown;
  changes?: { version: number; eventType: string; occurredAt: string; data: Record<string, unknown> }[];
}

const PAGE_SIZE = 500;
const DAY_MS = 86_400_000;
const PARAMETERS = new Set(['asOf', 'since']);

/**
 * Reads `asOf` (required, ISO-8601 with a time zone) and `since` (optional, not after `asOf`, at
 * most `maxRangeDays` before it). Throws `INVALID_QUERY_PARAMETER` naming the parameter.
 */
export function parseTemporalQuery(url: URL, maxRangeDays: number = TEMPORAL_QUERY_DEFAULTS.maxRangeDays): TemporalQuery {
  const params = queryParametersOf(url);
  for (const name of params.keys()) {
    if (!PARAMETERS.has(name)) throw invalid(name, `unknown query parameter "${name}"; use asOf and since`);
  }
  const asOfText = params.get('asOf');
  if (asOfText === null) throw invalid('asOf', 'asOf is required: an ISO-8601 time such as 2026-01-31T12:00:00Z');
  const asOf = instant('asOf', asOfText);
  const sinceText = params.get('since');
  if (sinceText === null) return { asOf };
  const since = instant('since', sinceText);
  if (since > asOf) throw invalid('since', 'since must not be after asOf');
  if (asOf.getTime() - since.getTime() > maxRangeDays * DAY_MS) {
    throw invalid('since', `the range since..asOf must not exceed ${maxRangeDays} days`);
  }
  return { asOf, since };
}

/**
 * Replays an aggregate's events that occurred at or before `asOf` (decoded, upcast to the latest
 * schema version, folded with the decider's `evolve`), stopping at the first later event so the
 * state is always a prefix of the stream. Gives up with `QUERY_TIMEOUT` after `timeoutMs`.
 */
export async function replayAsOf(
  deps: TemporalQueryDependencies,
  aggregateId: string,
  query: TemporalQuery,
  timeoutMs: number = TEMPORAL_QUERY_DEFAULTS.timeoutMs,
): Promise<TemporalState> {
  const deadline = Date.now() + timeoutMs;
  const { decider } = deps.aggregate;
  const asOf = query.asOf.toISOString();
  const since = query.since?.toISOString();
  const changes: NonNullable<TemporalState['changes']> = [];
  let state = decider.initialState();
  let version = 0;
  let cursor: string | undefined;
  scan: do {
    if (Date.now() > deadline) throw new HttpRequestError(HTTP_ERRORS.QUERY_TIMEOUT, `the temporal query took longer than ${timeoutMs} ms`, { timeoutMs });
    const page = await deps.eventStore.readStream(aggregateId, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const stored of page.items) {
      if (Date.parse(stored.occurredAt) > query.asOf.getTime()) break scan;
      const decoded = await deps.codec.decode(stored.payload);
      const { payload } = deps.upcasters.upcast(decoded.eventType, decoded.schemaVersion, decoded.payload);
      state = decider.evolve(state, { type: decoded.eventType, data: payload });
      version = stored.aggregateVersion;
      if (since !== undefined && stored.occurredAt >= since) {
        changes.push({ version, eventType: decoded.eventType, occurredAt: stored.occurredAt, data: payload });
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { aggregateId, asOf, version, state, ...(since === undefined ? {} : { changes }) };
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
