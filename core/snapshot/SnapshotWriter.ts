import type { AggregateDefinition } from '../command/AggregateDefinition';
import { silentLogger } from '../logging/Logger';
import type { Logger } from '../logging/Logger';
import { SnapshotStateNotJsonError } from './SnapshotErrors';
import { snapshotSettings } from './SnapshotOptions';
import type { SnapshotSettings } from './SnapshotOptions';
import type { SnapshotStore } from './SnapshotStore';
import { rehydrate } from './rehydrate';
import { isJsonFaithful } from './jsonFaithful';
import type { RehydrationSources } from './rehydrate';

/** What {@link SnapshotWriter} is built from. */
export interface SnapshotWriterDependencies extends Omit<RehydrationSources, 'snapshots' | 'logger'> {
  snapshots: SnapshotStore;
  /** The aggregate types; those without `snapshots` are never snapshotted. */
  aggregates: readonly AggregateDefinition[];
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
}

/**
 * What one snapshot attempt did: `stored`; `current` (the valid snapshot already holds the last
 * event); `superseded` (a newer snapshot was stored meanwhile); `empty` (no events);
 * `not-configured` (the aggregate type declares no snapshots).
 */
export type SnapshotOutcome = 'stored' | 'current' | 'superseded' | 'empty' | 'not-configured';

/**
 * Makes snapshots: folds the aggregate the way commands load it (its valid snapshot plus the
 * events after it, so a snapshot of another fold version is replaced by one folded from the first
 * event) and stores the state at the version folded. It reads the events itself rather than
 * taking the state a command produced: what it stores is exactly what a load from zero gives,
 * decoded and upcast from the stored bytes.
 *
 * Errors: `SNAPSHOT_STATE_NOT_JSON` (a state JSON would change: refused, nothing stored), the
 * store's `SNAPSHOT_STORE_UNAVAILABLE` / `SNAPSHOT_TOO_LARGE`, the event store's and codec's.
 */
export class SnapshotWriter {
  private readonly settings = new Map<string, { aggregate: AggregateDefinition; settings: SnapshotSettings }>();
  private readonly logger: Logger;
  private readonly clock: () => Date;

  constructor(private readonly deps: SnapshotWriterDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? ((): Date => new Date());
    for (const aggregate of deps.aggregates) {
      if (aggregate.snapshots !== undefined) this.settings.set(aggregate.aggregateType, { aggregate, settings: snapshotSettings(aggregate.aggregateType, aggregate.snapshots) });
    }
  }

  /** The settings of `aggregateType`, or undefined when it declares no snapshots. */
  settingsOf(aggregateType: string): SnapshotSettings | undefined {
    return this.settings.get(aggregateType)?.settings;
  }

  /** Snapshots the aggregate at its current version; see {@link SnapshotOutcome}. */
  async snapshot(aggregateType: string, aggregateId: string): Promise<SnapshotOutcome> {
    const declared = this.settings.get(aggregateType);
    if (declared === undefined) return 'not-configured';
    const { aggregate, settings } = declared;
    const now = this.clock();
    const loaded = await rehydrate<unknown>({ ...this.deps, logger: this.logger }, aggregate, aggregateId, settings, now);
    if (loaded.version === 0 || loaded.lastEventAt === undefined) return 'empty';
    if (loaded.version === loaded.snapshotVersion) return 'current';
    if (!isJsonFaithful(loaded.state)) throw new SnapshotStateNotJsonError(aggregateType, aggregateId);
    const stateJson = JSON.stringify(loaded.state);
    const stored = await this.deps.snapshots.put({
      aggregateType,
      aggregateId,
      version: loaded.version,
      foldVersion: settings.foldVersion,
      stateJson,
      lastEventAt: loaded.lastEventAt,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000).toISOString(),
    });
    return stored ? 'stored' : 'superseded';
  }
}
