import type { AggregateDefinition } from '../command/AggregateDefinition';
import type { IssuedCommand } from '../command/CommandDefinition';
import type { DomainEvent } from '../command/Decider';
import type { EventStore } from '../events/EventStore';
import type { Logger } from '../logging/Logger';
import type { EventCodec } from '../schema/EventCodec';
import type { UpcasterRegistry } from '../upcasting/UpcasterRegistry';
import type { SnapshotSettings } from './SnapshotOptions';
import type { Snapshot, SnapshotStore } from './SnapshotStore';

/** What an aggregate is folded from. */
export interface RehydrationSources {
  eventStore: EventStore;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  logger: Logger;
  /** Absent: every load folds from the first event. */
  snapshots?: SnapshotStore;
}

/** An aggregate's state, the version it was folded up to, and where the fold started. */
export interface Rehydrated<State> {
  state: State;
  version: number;
  /** The version of the snapshot the fold started from; 0 when it started from the initial state. */
  snapshotVersion: number;
  /** The latest occurredAt folded (the snapshot's included); undefined without events. */
  lastEventAt: string | undefined;
}

/** Events read per page while loading an aggregate. */
const LOAD_PAGE_SIZE = 500;

/**
 * Folds an aggregate: from its newest valid snapshot (see {@link validSnapshot}) or its initial
 * state, then the events after it, decoded and upcast to the latest schema version. A snapshot
 * store that fails is logged and read around (the fold starts from the first event): a snapshot
 * is a cache, so its outage slows loads and never refuses them.
 */
export async function rehydrate<State>(
  sources: RehydrationSources,
  aggregate: AggregateDefinition<IssuedCommand, DomainEvent, State>,
  aggregateId: string,
  settings: SnapshotSettings | undefined,
  now: Date,
): Promise<Rehydrated<State>> {
  const { decider } = aggregate;
  const snapshot = await validSnapshot(sources, aggregateId, settings, now);
  let state = snapshot === undefined ? decider.initialState() : (JSON.parse(snapshot.stateJson) as State);
  let version = snapshot?.version ?? 0;
  let lastEventAt = snapshot?.lastEventAt;
  let cursor: string | undefined;
  do {
    const page = await sources.eventStore.readStream(aggregateId, { limit: LOAD_PAGE_SIZE, ...(cursor ? { cursor } : { afterVersion: version }) });
    for (const stored of page.items) {
      const decoded = await sources.codec.decode(stored.payload);
      const { payload } = sources.upcasters.upcast(decoded.eventType, decoded.schemaVersion, decoded.payload);
      state = decider.evolve(state, { type: decoded.eventType, data: payload });
      version = stored.aggregateVersion;
      if (lastEventAt === undefined || stored.occurredAt > lastEventAt) lastEventAt = stored.occurredAt;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { state, version, snapshotVersion: snapshot?.version ?? 0, lastEventAt };
}

/**
 * The aggregate's snapshot of the current fold version, not expired at `now`, or undefined (no
 * snapshot configured, none stored, another fold version, expired, or the store failed: logged).
 */
export async function validSnapshot(sources: Pick<RehydrationSources, 'snapshots' | 'logger'>, aggregateId: string, settings: SnapshotSettings | undefined, now: Date): Promise<Snapshot | undefined> {
  if (sources.snapshots === undefined || settings === undefined) return undefined;
  try {
    return await sources.snapshots.latest(aggregateId, settings.foldVersion, now);
  } catch (error) {
    sources.logger.warn('snapshot not read; folding from the first event', { aggregateId, error });
    return undefined;
  }
}
