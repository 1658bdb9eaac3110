import type { AggregateDefinition } from '../command/AggregateDefinition';
import type { EventStore } from '../events/EventStore';
import { silentLogger } from '../logging/Logger';
import type { Logger } from '../logging/Logger';
import type { ExpiredSnapshotPurge } from './SnapshotStore';
import type { SnapshotWriter } from './SnapshotWriter';

/** What {@link SnapshotSweep} is built from. */
export interface SnapshotSweepDependencies {
  eventStore: EventStore;
  writer: SnapshotWriter;
  aggregates: readonly AggregateDefinition[];
  /** Embedded: deletes expired snapshots on every run. On DynamoDB the table's TTL does it. */
  purge?: ExpiredSnapshotPurge;
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
}

/** Options of {@link SnapshotSweep}. */
export interface SnapshotSweepOptions {
  /**
   * How far before the sweep age a run looks: events that occurred in
   * [now - sweepAge - lookback, now - sweepAge). Longer than the period between runs, so that a
   * run that fails or is skipped is covered by the next. @defaultValue 10800 (3 hours: three
   * hourly runs)
   */
  lookbackSeconds?: number;
}

/** Defaults of {@link SnapshotSweepOptions}. */
export const SNAPSHOT_SWEEP_DEFAULTS = {
  /** @defaultValue 3 hours */
  lookbackSeconds: 3 * 3600,
} as const;

/** What one sweep did. */
export interface SnapshotSweepReport {
  /** Aggregates with events in the window. */
  examined: number;
  /** Snapshots stored. */
  snapshotted: number;
  failed: number;
  /** Expired snapshots deleted (embedded). */
  deleted: number;
}

/**
 * The time rule: an aggregate that changed and has had no current snapshot for its type's
 * `sweepAgeSeconds` (24 hours by default) is snapshotted. A run reads the events that occurred
 * in the window ending that long ago (the events table's time index on DynamoDB), and for each
 * aggregate of a type that declares snapshots asks the writer, which stores one only when the
 * valid snapshot does not already hold the last event (none, older, another fold version, or
 * expired). So a trigger whose request was lost (a crash between the append and the write) is
 * covered a day later. A failure of one aggregate is logged and counted; the run goes on.
 *
 * Runs: a timer in the embedded system, an EventBridge schedule on AWS (snapshotSweep function).
 */
export class SnapshotSweep {
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly lookbackMs: number;

  constructor(
    private readonly deps: SnapshotSweepDependencies,
    options: SnapshotSweepOptions = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? ((): Date => new Date());
    this.lookbackMs = (options.lookbackSeconds ?? SNAPSHOT_SWEEP_DEFAULTS.lookbackSeconds) * 1000;
  }

  /** One sweep; see the class documentation. */
  async run(): Promise<SnapshotSweepReport> {
    const now = this.clock();
    const report: SnapshotSweepReport = { examined: 0, snapshotted: 0, failed: 0, deleted: 0 };
    for (const [ageSeconds, types] of this.typesByAge()) {
      const to = new Date(now.getTime() - ageSeconds * 1000);
      const from = new Date(to.getTime() - this.lookbackMs);
      for (const [aggregateId, aggregateType] of await this.changedIn(from, to, types)) {
        report.examined += 1;
        try {
          if ((await this.deps.writer.snapshot(aggregateType, aggregateId)) === 'stored') report.snapshotted += 1;
        } catch (error) {
          report.failed += 1;
          this.logger.warn('sweep: snapshot failed', { aggregateType, aggregateId, error });
        }
      }
    }
    if (this.deps.purge !== undefined) report.deleted = await this.deps.purge.deleteExpired(now);
    this.logger.info('snapshot sweep done', { ...report });
    return report;
  }

  /** The snapshotted aggregate types grouped by sweep age, so each age reads its window once. */
  private typesByAge(): Map<number, Set<string>> {
    const byAge = new Map<number, Set<string>>();
    for (const aggregate of this.deps.aggregates) {
      const settings = this.deps.writer.settingsOf(aggregate.aggregateType);
      if (settings === undefined) continue;
      const types = byAge.get(settings.sweepAgeSeconds) ?? new Set<string>();
      types.add(aggregate.aggregateType);
      byAge.set(settings.sweepAgeSeconds, types);
    }
    return byAge;
  }

  /** Each aggregate of `types` with an event in [from, to), once, with its type. */
  private async changedIn(from: Date, to: Date, types: Set<string>): Promise<Map<string, string>> {
    const changed = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await this.deps.eventStore.readByTimeRange({ from: from.toISOString(), to: to.toISOString(), limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const event of page.items) if (types.has(event.aggregateType)) changed.set(event.aggregateId, event.aggregateType);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return changed;
  }
}
