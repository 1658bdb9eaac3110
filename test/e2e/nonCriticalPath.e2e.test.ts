import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { tap } from 'rxjs';
import { SqliteSubscriberQueue } from '../../adapters/embedded';
import { silentLogger } from '../../core/logging/Logger';
import { subscriptionOf } from '../../core/messaging/Topic';
import { definePipeline } from '../../core/pipeline/PipelineDefinition';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { SourceRecord } from '../../core/streams/RecordSource';
import { ORDER_NOTICES_COLLECTION, ORDER_NOTICES_QUEUE, pipelines as shippedPipelines, topics } from '../../pipelines';
import orderList from '../../pipelines/order-list';
import orderNotices from '../../pipelines/order-notices';
import router from '../../pipelines/router';
import { createEmbeddedApi, openEmbeddedSystem } from '../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../handlers/local/embeddedSystem';
import { eventually, startNexus } from './support/NexusProcess';
import { E2E_JWT_SECRET } from './support/e2eAuth';
import { getJson, postCommand } from './support/http';

jest.setTimeout(120_000);

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-noncritical-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** The notice document of `orderId`, read from pipelines.db by another connection, as an operator would. */
function noticeOf(orderId: string): Record<string, unknown> | undefined {
  const db = new Database(join(dataDir, 'pipelines.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT data FROM read_models WHERE collection = ? AND id = ?').get(ORDER_NOTICES_COLLECTION, orderId) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as Record<string, unknown>) : undefined;
  } finally {
    db.close();
  }
}

/** The order-notices subscriber queue over its own connection to pipelines.db. */
function openNoticesQueue(): { queue: SqliteSubscriberQueue; close(): void } {
  const db = new Database(join(dataDir, 'pipelines.db'));
  return { queue: new SqliteSubscriberQueue(db, ORDER_NOTICES_QUEUE, subscriptionOf(topics, ORDER_NOTICES_QUEUE)), close: () => db.close() };
}

const book = { sku: 'BOOK-1', quantity: 1, unitPrice: 12.5 };

describe('the non-critical path', () => {
  it('npm start carries a confirmation from the command through the router, the topic and the subscriber queue to the order-notices pipeline', async () => {
    // given the real server (its pipelines in the worker thread)
    const nexus = await startNexus({ dataDir });
    try {
      // when an order is placed and confirmed over HTTP
      const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', { customerId: 'cust-n1', items: [book] });
      const orderId = placed.body.aggregateId as string;
      expect((await postCommand(nexus.baseUrl, 'ConfirmOrder', { orderId })).status).toBe(202);
      // then the subscriber pipeline wrote the confirmation notice
      const notice = await eventually(async () => noticeOf(orderId), 15_000, 'the confirmation notice');
      expect(notice).toMatchObject({ orderId, kind: 'confirmed', text: `Your order ${orderId} is confirmed` });
    } finally {
      await nexus.stop();
    }
    // and the queue was emptied: every message acked, nothing dead-lettered
    const notices = openNoticesQueue();
    try {
      expect(await notices.queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    } finally {
      notices.close();
    }
  });

  it('a poison message reaches the dead-letter queue after 5 receives while the core path and other orders flow, and is applied after the fix and a redrive', async () => {
    // given the system with a buggy order-notices pipeline that throws on one order
    const buggy = await serveSystem([router, orderList, buggyOrderNotices]);
    const poisoned = await placeAndConfirm(buggy.baseUrl, 'order-poison');
    const fine = await placeAndConfirm(buggy.baseUrl, 'order-fine');
    expect([poisoned, fine]).toEqual([202, 202]);

    // when the pipelines have done what they can
    await buggy.system.whenCaughtUp(30_000);

    // then the other order got its notice and the poisoned one did not
    expect(noticeOf('order-fine')).toMatchObject({ kind: 'confirmed' });
    expect(noticeOf('order-poison')).toBeUndefined();
    // and the core path was not held up: the order list shows the poisoned order confirmed
    expect((await getJson(buggy.baseUrl, '/api/queries/orders/order-poison')).body).toMatchObject({ status: 'CONFIRMED' });
    expect(buggy.system.runners.find((runner) => runner.name === 'order-notices')?.metrics()).toMatchObject({ recordsFailed: 1, recordsParked: 1 });
    await buggy.close();
    // and the dead-letter queue holds the confirmation, received 5 times, its attributes intact
    const notices = openNoticesQueue();
    try {
      const dead = await notices.queue.deadLetters(10);
      expect(dead.map((message) => [message.groupKey, message.receiveCount, message.attributes.eventType])).toEqual([['order-poison', 5, 'OrderConfirmed']]);

      // when the fix is deployed (the shipped pipelines) and the dead-letter queue is redriven
      const fixed = await serveSystem(shippedPipelines);
      try {
        expect(await notices.queue.redrive()).toBe(1);
        // then the notice is written and nothing is left in the queue
        const notice = await eventually(async () => noticeOf('order-poison'), 15_000, 'the redriven notice');
        expect(notice).toMatchObject({ orderId: 'order-poison', kind: 'confirmed' });
        await fixed.system.whenCaughtUp(30_000);
        expect(await notices.queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
      } finally {
        await fixed.close();
      }
    } finally {
      notices.close();
    }
  });
});

/** The shipped order-notices pipeline behind a bug: it throws on every message of order-poison. */
const buggyOrderNotices = definePipeline({
  ...orderNotices,
  options: { initialBackoffMs: 1, maxBackoffMs: 5 },
  pipe: (records$, context) => orderNotices.pipe(records$.pipe(tap(failOnPoison)), context),
});

function failOnPoison(record: SourceRecord): void {
  if (record.key === 'order-poison') throw new Error('cannot notify order-poison');
}

async function placeAndConfirm(baseUrl: string, orderId: string): Promise<number> {
  await postCommand(baseUrl, 'PlaceOrder', { orderId, customerId: 'cust-n2', items: [book] });
  return (await postCommand(baseUrl, 'ConfirmOrder', { orderId })).status;
}

interface Served {
  system: EmbeddedSystem;
  baseUrl: string;
  close(): Promise<void>;
}

async function serveSystem(pipelines: readonly PipelineDefinition[]): Promise<Served> {
  const system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines: [...pipelines], runner: { idlePollMs: 20 } });
  await system.startPipelines();
  const app = createEmbeddedApi(system, { keys: { secret: E2E_JWT_SECRET }, verifier: {} });
  const server = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    system,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise((done) => server.close(done));
      await system.close();
    },
  };
}
