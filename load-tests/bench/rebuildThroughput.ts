import type { Database } from 'better-sqlite3';
import { SqliteCheckpointStore, SqliteDeadLetterStore, SqliteReadModelStore, SqliteStreamLog } from '../../adapters/embedded';
import { SqliteReadModelVersions } from '../../adapters/embedded/SqliteReadModelVersions';
import { silentLogger } from '../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { PipelineContext } from '../../core/pipeline/PipelineDefinition';
import { rebuildProjection } from '../../core/projection/rebuild/rebuildProjection';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../domain';
import orderList from '../../pipelines/order-list';
import { benchCodec, coreRecords, scratch } from './benchFixtures';

/** One run: events/s of a rebuild, and of the live pipeline projecting the same records incrementally. */
export interface RebuildThroughputRun {
  rebuildPerSecond: number;
  incrementalPerSecond: number;
}

/**
 * The order list projected incrementally by the live pipeline (the baseline), then rebuilt from
 * the same core stream into version 2 (replay, final catch-up and switch), in one database.
 */
export async function measureRebuildThroughput(orders: number): Promise<RebuildThroughputRun> {
  const setup = scratch();
  try {
    const codec = await benchCodec(setup.open('schemas.db'));
    const records = await coreRecords(codec, orders);
    const db = setup.open('pipelines.db');
    const streams = new SqliteStreamLog(db);
    for (let i = 0; i < records.length; i += 5000) {
      await streams.publish('core', records.slice(i, i + 5000).map((r) => ({ key: r.key, record: r.record, deduplicationId: r.eventId })));
    }
    const context: PipelineContext = { pipelineName: orderList.name, codec, upcasters: new UpcasterRegistry(orderUpcasters), readModels: new SqliteReadModelStore(db), publisher: streams, logger: silentLogger };
    const stores = { source: streams.source('core'), checkpoints: new SqliteCheckpointStore(db), deadLetters: new SqliteDeadLetterStore(db), context };
    const incrementalMs = await timed(async () => {
      const runner = new EmbeddedPipelineRunner(orderList, stores);
      await runner.start();
      await runner.whenCaughtUp(120_000);
      await runner.stop();
    });
    let replayed = 0;
    const rebuildMs = await timed(async () => {
      const summary = await rebuildProjection({ definition: orderList, ...stores, versions: new SqliteReadModelVersions(db as Database) });
      replayed = summary.eventsReplayed;
    });
    if (replayed !== records.length) throw new Error(`rebuild replayed ${replayed} of ${records.length} records`);
    return { rebuildPerSecond: (records.length * 1000) / rebuildMs, incrementalPerSecond: (records.length * 1000) / incrementalMs };
  } finally {
    setup.dispose();
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return performance.now() - startedAt;
}
