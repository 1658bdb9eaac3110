import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tap } from 'rxjs';
import { SqliteCheckpointStore, SqliteDeadLetterStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { openSqliteDatabase } from '../../../adapters/embedded/openSqliteDatabase';
import { silentLogger } from '../../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../../core/pipeline/EmbeddedPipelineRunner';
import type { PipelineDefinition } from '../../../core/pipeline/PipelineDefinition';
import type { RebuildProgress } from '../../../core/projection/rebuild/rebuildProjection';
import { READ_MODEL_VERSION_ERRORS } from '../../../core/readmodel/ReadModelVersions';
import type { ReadModelDocument, ReadModelStore } from '../../../core/readmodel/ReadModelStore';
import { openProjectionsSystem } from '../../../handlers/cli/projectionsSystem';
import type { ProjectionsSystem } from '../../../handlers/cli/projectionsSystem';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import orderList from '../../../pipelines/order-list';
import router from '../../../pipelines/router';
import orderNotices from '../../../pipelines/order-notices';

jest.setTimeout(120_000);

/** Orders 40.. written while the rebuild runs, at most up to this one. */
const MAX_ORDERS_DURING_REBUILD = 200;

let dataDir: string;
let live: EmbeddedSystem;
let projections: ProjectionsSystem | undefined;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-rebuild-'));
  // The live pipelines run in their worker thread, as under `npm start`: SQLite waits for a lock synchronously,
  // so a projection and a rebuild sharing one event loop would stall each other.
  live = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker', runner: { idlePollMs: 20 } });
  await live.startPipelines();
});

afterEach(async () => {
  projections?.close();
  projections = undefined;
  await live.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Places order `n` and moves it on: some get a second line, some are confirmed, some cancelled. */
async function writeOrder(system: EmbeddedSystem, n: string | number): Promise<void> {
  const orderId = `order-${n}`;
  const at = { correlationId: `corr-${n}` };
  await system.commands.handle('PlaceOrder', { orderId, customerId: `cust-${Number(n) % 7}`, items: [{ sku: 'A', quantity: 1, unitPrice: 3 }] }, at);
  if (Number(n) % 2 === 0) await system.commands.handle('AddItem', { orderId, sku: 'B', quantity: 2, unitPrice: 4 }, at);
  if (Number(n) % 3 === 0) await system.commands.handle('ConfirmOrder', { orderId }, at);
  if (Number(n) % 5 === 0) await system.commands.handle('CancelOrder', { orderId, reason: 'changed mind' }, at);
}

async function allOrders(store: ReadModelStore): Promise<ReadModelDocument<Record<string, unknown>>[]> {
  const documents: ReadModelDocument<Record<string, unknown>>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.collection('orders').query({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    documents.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return documents;
}

/** The order list as an incremental projection of the whole source builds it, in a database of its own. */
async function incrementalProjection(system: EmbeddedSystem): Promise<ReadModelDocument<Record<string, unknown>>[]> {
  const db = new Database(':memory:');
  try {
    const readModels = new SqliteReadModelStore(db);
    const runner = new EmbeddedPipelineRunner(orderList, {
      source: system.sourceFor(orderList),
      checkpoints: new SqliteCheckpointStore(db),
      deadLetters: new SqliteDeadLetterStore(db),
      context: { ...system.contextFor(orderList.name), readModels },
    });
    await runner.start();
    await runner.whenCaughtUp(60_000);
    await runner.stop();
    return await allOrders(readModels);
  } finally {
    db.close();
  }
}

function storedTables(): string[] {
  const db = openSqliteDatabase(join(dataDir, 'pipelines.db'));
  try {
    return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm_orders%'").all().map((row) => row.name);
  } finally {
    db.close();
  }
}

describe('projection rebuild (embedded)', () => {
  it('a rebuild under concurrent writes ends identical to incremental projection, with queries served throughout', async () => {
    // given orders projected by the live pipeline
    for (let n = 0; n < 40; n += 1) await writeOrder(live, n);
    await live.whenCaughtUp(30_000);
    const [tableBefore] = storedTables();
    // and, while the rebuild runs, a writer placing more orders and a reader querying the live version
    let rebuilding = true;
    // (bounded: on a loaded machine endless writers, each order starting its fulfilment saga, could
    // outpace the replay, and a writer outliving a timed-out test kept its jest worker busy)
    const writer = (async () => {
      for (let n = 40; n < 80 || (rebuilding && n < MAX_ORDERS_DURING_REBUILD); n += 1) await writeOrder(live, n);
    })();
    let served = 0;
    const failures: unknown[] = [];
    const reader = (async () => {
      while (rebuilding) {
        try {
          await live.readModels.collection('orders').query({ limit: 20 });
          served += 1;
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    // when the order list is rebuilt from another set of connections (as `npx nexus` does beside a server)
    projections = openProjectionsSystem(dataDir, { logger: silentLogger });
    const progress: RebuildProgress[] = [];
    // (stopped even when the rebuild fails: the writer and reader left running would outlive the test)
    const summary = await projections.rebuild(orderList, { runner: { batchSize: 25 }, progressIntervalMs: 5, onProgress: (p) => progress.push(p) }).finally(() => {
      rebuilding = false;
    });
    await Promise.all([writer, reader]);
    // and an order placed after the switch
    await writeOrder(live, 1000);
    await live.whenCaughtUp(30_000);
    // then readers see the new version, equal to an incremental projection of every record
    const rebuilt = await allOrders(live.readModels);
    expect(rebuilt).toEqual(await incrementalProjection(live));
    expect(rebuilt.map((order) => order.id)).toContain('order-1000');
    expect(rebuilt.length).toBeGreaterThanOrEqual(81);
    // and queries never failed while it ran
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(0);
    // and version 2 is current, the old table is gone, the progress went through its phases
    expect(summary).toMatchObject({ pipeline: 'order-list', version: 2, resumed: false, collections: ['orders'] });
    const tablesAfter = storedTables();
    expect(tablesAfter).toHaveLength(1);
    expect(tablesAfter).not.toContain(tableBefore);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['switching', 'switched']));
    expect(progress.at(-1)).toMatchObject({ phase: 'switched', version: 2 });
    const [status] = (await projections.status()).filter((row) => row.pipeline === 'order-list');
    expect(status).toMatchObject({ version: 2, lag: 0 });
    expect(status?.rebuild).toBeUndefined();
  });

  it('resumes an interrupted rebuild from its checkpoint, in a new process, and switches once', async () => {
    // given orders projected by the live pipeline
    for (let n = 0; n < 60; n += 1) await writeOrder(live, n);
    await live.whenCaughtUp(30_000);
    // and a rebuild interrupted once it has replayed some records (as by Ctrl-C or a crash)
    projections = openProjectionsSystem(dataDir, { logger: silentLogger });
    const abort = new AbortController();
    let seen = 0;
    const abortingOrderList: PipelineDefinition = {
      ...orderList,
      pipe: (records$, context) => orderList.pipe(records$.pipe(tap(() => (seen += 1) === 30 && abort.abort())), context),
    };
    const interrupted = projections.rebuild(abortingOrderList, { runner: { batchSize: 10, concurrency: 1 }, signal: abort.signal });
    await expect(interrupted).rejects.toMatchObject({ code: READ_MODEL_VERSION_ERRORS.INTERRUPTED });
    const [during] = (await projections.status()).filter((row) => row.pipeline === 'order-list');
    expect(during).toMatchObject({ version: 1, rebuild: { version: 2 } });
    expect(during?.rebuild?.position).toBeGreaterThan(0);
    projections.close();
    // when the rebuild runs again, on new connections
    projections = openProjectionsSystem(dataDir, { logger: silentLogger });
    const summary = await projections.rebuild(orderList, { runner: { batchSize: 10 } });
    // then it resumed version 2 where it stopped, and ends equal to an incremental projection
    expect(summary).toMatchObject({ version: 2, resumed: true });
    const [status] = (await projections.status()).filter((row) => row.pipeline === 'order-list');
    expect(summary.eventsReplayed).toBeLessThan(status?.position ?? 0);
    expect(await allOrders(live.readModels)).toEqual(await incrementalProjection(live));
    // and a next rebuild makes version 3
    expect(await projections.rebuild(orderList)).toMatchObject({ version: 3, resumed: false });
    expect(await allOrders(live.readModels)).toEqual(await incrementalProjection(live));
  });

  it('refuses to rebuild a pipeline that publishes, or that reads a queue, naming why', async () => {
    // given the projections of a data directory
    projections = openProjectionsSystem(dataDir, { logger: silentLogger });
    // when the router (it publishes) or the order notices (a subscriber queue) are rebuilt
    // then both are refused before anything is written
    await expect(projections.rebuild(router)).rejects.toMatchObject({ code: READ_MODEL_VERSION_ERRORS.NOT_REBUILDABLE, message: expect.stringMatching(/publish/) });
    await expect(projections.rebuild(orderNotices)).rejects.toMatchObject({ code: READ_MODEL_VERSION_ERRORS.NOT_REBUILDABLE, message: expect.stringMatching(/queue/) });
    expect((await projections.status()).every((row) => row.version === 1 && row.rebuild === undefined)).toBe(true);
  });
});
