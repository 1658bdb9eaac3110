import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../../adapters/embedded/SqliteEventStore';
import { SqliteSnapshotStore } from '../../../adapters/embedded/SqliteSnapshotStore';
import { CommandService } from '../../../core/command/CommandService';
import type { AggregateDefinition } from '../../../core/command/AggregateDefinition';
import type { SnapshotOptions } from '../../../core/snapshot/SnapshotOptions';
import { BackgroundSnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import type { SnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import type { SnapshotStore } from '../../../core/snapshot/SnapshotStore';
import { SnapshotSweep } from '../../../core/snapshot/SnapshotSweep';
import { SnapshotWriter } from '../../../core/snapshot/SnapshotWriter';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderUpcasters } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';

/** The Order aggregate with the snapshot options of a test. */
export function orderWith(snapshots: SnapshotOptions): AggregateDefinition {
  return { ...orderAggregate, snapshots } as AggregateDefinition;
}

/** Real engines for a snapshot test: SQLite events and snapshots, the writer, scheduler and sweep. */
export interface SnapshotTestSystem {
  env: SchemaEnvironment;
  eventStore: SqliteEventStore;
  snapshotsDb: Database.Database;
  snapshots: SqliteSnapshotStore;
  upcasters: UpcasterRegistry;
  writer: SnapshotWriter;
  scheduler: BackgroundSnapshotScheduler;
  /** The command service with snapshots (the scheduler above unless another is given). */
  service(options?: { scheduler?: SnapshotScheduler; store?: SnapshotStore; aggregate?: AggregateDefinition }): CommandService;
  /** The command service without snapshots: every load folds from the first event. */
  plainService(): CommandService;
  sweep(clock: () => Date): SnapshotSweep;
  close(): Promise<void>;
}

/** Opens a {@link SnapshotTestSystem} for `aggregate`. */
export async function openSnapshotTestSystem(aggregate: AggregateDefinition, clock: () => Date = () => new Date()): Promise<SnapshotTestSystem> {
  const env = await createSchemaEnvironment();
  const eventStore = new SqliteEventStore(env.db, env.codec);
  const snapshotsDb = new Database(':memory:');
  const snapshots = new SqliteSnapshotStore(snapshotsDb);
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const sources = { eventStore, codec: env.codec, upcasters };
  const writer = new SnapshotWriter({ ...sources, snapshots, aggregates: [aggregate], clock });
  const scheduler = new BackgroundSnapshotScheduler(writer);
  let ids = 0;
  return {
    env,
    eventStore,
    snapshotsDb,
    snapshots,
    upcasters,
    writer,
    scheduler,
    service: (options = {}) =>
      new CommandService({
        ...sources,
        aggregates: [options.aggregate ?? aggregate],
        clock,
        newId: () => `order-${(ids += 1)}`,
        snapshots: { store: options.store ?? snapshots, scheduler: options.scheduler ?? scheduler },
      }),
    plainService: () => new CommandService({ ...sources, aggregates: [aggregate], clock }),
    sweep: (sweepClock) => new SnapshotSweep({ eventStore, writer, aggregates: [aggregate], purge: snapshots, clock: sweepClock }),
    close: async () => {
      await scheduler.close();
      env.db.close();
      snapshotsDb.close();
    },
  };
}

export const PLACE = { customerId: 'c-1', items: [{ sku: 'A-1', quantity: 1, unitPrice: 2.5 }] };

/** An order placed under `orderId` with `adds` more items. */
export async function orderWithItems(service: CommandService, orderId: string, adds: number): Promise<void> {
  await service.handle('PlaceOrder', { ...PLACE, orderId }, { correlationId: `place-${orderId}` });
  for (let i = 0; i < adds; i += 1) {
    await service.handle('AddItem', { orderId, sku: `S-${i}`, quantity: i + 1, unitPrice: 1 }, { correlationId: `add-${orderId}-${i}` });
  }
}
