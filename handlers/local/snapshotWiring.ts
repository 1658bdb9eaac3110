/**
 * Snapshots of the embedded system: the SQLite store in its own file of the data directory
 * (snapshots.db: a snapshot write never waits on, nor holds, the command path's write lock on
 * nexus.db), the writer, the background scheduler the command service hands its requests to,
 * and the hourly sweep timer (the time rule and the deletion of expired snapshots).
 */
import { join } from 'node:path';
import { openSqliteDatabase } from '../../adapters/embedded/openSqliteDatabase';
import { SqliteSnapshotStore } from '../../adapters/embedded/SqliteSnapshotStore';
import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import type { CommandSnapshots } from '../../core/command/CommandService';
import type { EventStore } from '../../core/events/EventStore';
import type { Logger } from '../../core/logging/Logger';
import type { EventCodec } from '../../core/schema/EventCodec';
import { BackgroundSnapshotScheduler } from '../../core/snapshot/SnapshotScheduler';
import type { SnapshotRequestSettled } from '../../core/snapshot/SnapshotScheduler';
import { SnapshotSweep } from '../../core/snapshot/SnapshotSweep';
import type { SnapshotSweepReport } from '../../core/snapshot/SnapshotSweep';
import { SnapshotWriter } from '../../core/snapshot/SnapshotWriter';
import type { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';

/** Defaults of the embedded snapshot wiring. */
export const EMBEDDED_SNAPSHOT_DEFAULTS = {
  /** @defaultValue 3600000 (hourly; 0 turns the timer off) */
  sweepIntervalMs: 3_600_000,
} as const;

/** What {@link wireSnapshots} builds from. */
export interface SnapshotWiringDependencies {
  dataDir: string;
  synchronous: 'NORMAL' | 'FULL';
  eventStore: EventStore;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  aggregates: readonly AggregateDefinition[];
  logger: Logger;
  /** @defaultValue EMBEDDED_SNAPSHOT_DEFAULTS.sweepIntervalMs */
  sweepIntervalMs?: number;
  /** Called once per snapshot request settled (the benchmark measures trigger -> stored with it). */
  onSettled?: (settled: SnapshotRequestSettled) => void;
}

/** The embedded system's snapshots. */
export interface EmbeddedSnapshots {
  store: SqliteSnapshotStore;
  scheduler: BackgroundSnapshotScheduler;
  /** What the command service reads snapshots from and sends requests to. */
  forCommands: CommandSnapshots;
  /** One sweep now (the timer runs the same). */
  sweep(): Promise<SnapshotSweepReport>;
  /** Stops the timer, finishes the requests taken, closes snapshots.db. */
  close(): Promise<void>;
}

/** Opens snapshots.db and wires the snapshot parts; the sweep timer starts at once (unref'd). */
export function wireSnapshots(deps: SnapshotWiringDependencies): EmbeddedSnapshots {
  const db = openSqliteDatabase(join(deps.dataDir, 'snapshots.db'), { synchronous: deps.synchronous });
  const store = new SqliteSnapshotStore(db);
  const logger = deps.logger.child({ component: 'snapshots' });
  const writer = new SnapshotWriter({ eventStore: deps.eventStore, codec: deps.codec, upcasters: deps.upcasters, snapshots: store, aggregates: deps.aggregates, logger });
  const scheduler = new BackgroundSnapshotScheduler(writer, { logger, ...(deps.onSettled ? { onSettled: deps.onSettled } : {}) });
  const sweeper = new SnapshotSweep({ eventStore: deps.eventStore, writer, aggregates: deps.aggregates, purge: store, logger });
  let running: Promise<SnapshotSweepReport> | undefined;
  // One sweep at a time: a slow one is joined, never doubled.
  const sweep = (): Promise<SnapshotSweepReport> => (running ??= sweeper.run().finally(() => (running = undefined)));
  const intervalMs = deps.sweepIntervalMs ?? EMBEDDED_SNAPSHOT_DEFAULTS.sweepIntervalMs;
  const timer = intervalMs > 0 ? setInterval(() => void sweep().catch((error: unknown) => logger.warn('snapshot sweep failed', { error })), intervalMs) : undefined;
  timer?.unref();
  return {
    store,
    scheduler,
    forCommands: { store, scheduler },
    sweep,
    close: async () => {
      if (timer) clearInterval(timer);
      await scheduler.close();
      await running?.catch(() => undefined);
      db.close();
    },
  };
}
