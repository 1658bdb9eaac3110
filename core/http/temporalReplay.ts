import type { AggregateDefinition } from '../command/AggregateDefinition';
import type { EventStore } from '../events/EventStore';
import { EVENT_READ_LIMITS } from '../events/readOptions';
import type { EventCodec } from '../schema/EventCodec';
import { silentLogger } from '../logging/Logger';
import type { Logger } from '../logging/Logger';
import { snapshotSettings } from '../snapshot/SnapshotOptions';
import type { SnapshotStore } from '../snapshot/SnapshotStore';
import { validSnapshot } from '../snapshot/rehydrate';
import type { UpcasterRegistry } from '../upcasting/UpcasterRegistry';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import type { TemporalResumePoint } from './temporalContinuation';

/** What a replay reads and decodes with. */
export interface TemporalReplaySources {
  eventStore: EventStore;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  /** Snapshots of the aggregate types that declare them: a replay may start from one (see replayAsOf). */
  snapshots?: SnapshotStore;
  /** Where a snapshot store's failure is logged (the replay then starts from the first event). @defaultValue silentLogger */
  logger?: Logger;
}

/** The bounds of one replay request. */
export interface TemporalReplayLimits {
  /** Most events read from the store by this request (the first event after asOf included). */
  maxEvents: number;
  timeoutMs: number;
  /** Milliseconds now, read once for the deadline and before every page. */
  clock: () => number;
}

/** One event folded in [since, asOf]. */
export interface TemporalChange {
  version: number;
  eventType: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** What one bounded replay request folded. */
export interface TemporalReplayResult extends TemporalResumePoint {
  /** True when the replay reached asOf (or the end of the stream); false when it stopped at `maxEvents`. */
  complete: boolean;
  /** The changes in [since, asOf] folded by this request only (none when no since was given). */
  changes: TemporalChange[];
  eventsScanned: number;
}

/**
 * Folds an aggregate's events that occurred at or before `asOf` (decoded, upcast to the latest
 * schema version, `evolve`d), starting after `from` (or from the initial state), paging through
 * the store by version. It stops at the first event later than asOf, so the state is always a
 * prefix of the stream, exactly what one unbounded replay gives; or after `maxEvents` events read,
 * answering `complete: false` with the point to resume from. Gives up with `QUERY_TIMEOUT` when
 * the deadline passes between pages.
 *
 * Resuming from the point a partial replay returned, with the same asOf and since, folds the same
 * events in the same order as a replay that never stopped: chained to the end, the state, version
 * and concatenated changes equal the unbounded replay's.
 *
 * A first request (no `from`) of an aggregate type that declares snapshots starts from its valid
 * snapshot (same fold version, not expired) when that changes nothing: every event it folded
 * occurred at or before asOf (its `lastEventAt` is the latest of them, so a clock that stepped
 * back between two events cannot hide an earlier stop), and, with since, before since (so none of
 * them belongs in the changes). Otherwise it folds from the first event, as without snapshots.
 */
export async function replayAsOf(
  sources: TemporalReplaySources,
  aggregate: AggregateDefinition,
  aggregateId: string,
  query: { asOf: Date; since?: Date },
  limits: TemporalReplayLimits,
  from?: TemporalResumePoint,
): Promise<TemporalReplayResult> {
  const deadline = limits.clock() + limits.timeoutMs;
  const asOf = query.asOf.getTime();
  const since = query.since?.toISOString();
  const changes: TemporalChange[] = [];
  const start = from ?? (await snapshotStart(sources, aggregate, aggregateId, query, limits.clock()));
  let state = start === undefined ? aggregate.decider.initialState() : start.state;
  let version = start?.version ?? 0;
  let eventsScanned = 0;
  const result = (complete: boolean): TemporalReplayResult => ({ version, state, complete, changes, eventsScanned });
  for (;;) {
    const budget = limits.maxEvents - eventsScanned;
    if (budget <= 0) return result(false);
    if (limits.clock() > deadline) {
      throw new HttpRequestError(HTTP_ERRORS.QUERY_TIMEOUT, `the temporal query took longer than ${limits.timeoutMs} ms`, { timeoutMs: limits.timeoutMs });
    }
    // By version rather than by the store's cursor, so that a continuation needs only the version.
    const page = await sources.eventStore.readStream(aggregateId, { afterVersion: version, limit: Math.min(budget, EVENT_READ_LIMITS.maxLimit) });
    for (const stored of page.items) {
      eventsScanned += 1;
      if (Date.parse(stored.occurredAt) > asOf) return result(true);
      const decoded = await sources.codec.decode(stored.payload);
      const { payload } = sources.upcasters.upcast(decoded.eventType, decoded.schemaVersion, decoded.payload);
      state = aggregate.decider.evolve(state, { type: decoded.eventType, data: payload });
      version = stored.aggregateVersion;
      if (since !== undefined && stored.occurredAt >= since) changes.push({ version, eventType: decoded.eventType, occurredAt: stored.occurredAt, data: payload });
    }
    if (page.nextCursor === undefined) return result(true);
  }
}

/** The snapshot a first request may start from (see {@link replayAsOf}), as a resume point. */
async function snapshotStart(
  sources: TemporalReplaySources,
  aggregate: AggregateDefinition,
  aggregateId: string,
  query: { asOf: Date; since?: Date },
  nowMs: number,
): Promise<TemporalResumePoint | undefined> {
  if (sources.snapshots === undefined || aggregate.snapshots === undefined) return undefined;
  const settings = snapshotSettings(aggregate.aggregateType, aggregate.snapshots);
  const snapshot = await validSnapshot({ snapshots: sources.snapshots, logger: sources.logger ?? silentLogger }, aggregateId, settings, new Date(nowMs));
  if (snapshot === undefined) return undefined;
  const lastEventAt = Date.parse(snapshot.lastEventAt);
  if (lastEventAt > query.asOf.getTime()) return undefined;
  if (query.since !== undefined && lastEventAt >= query.since.getTime()) return undefined;
  return { version: snapshot.version, state: JSON.parse(snapshot.stateJson) as unknown };
}
