import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { tap } from 'rxjs';
import { definePipeline } from '../../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../../core/pipeline/PipelineEvent';
import { silentLogger } from '../../core/logging/Logger';
import { decode, ofType, project, upcast } from '../../operators';
import { ORDER_LIST_COLLECTION, orderListReducer } from '../../domain';
import type { OrderListItem } from '../../domain';
import router from '../../pipelines/router';
import { createEmbeddedApi, openEmbeddedSystem } from '../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../handlers/local/embeddedSystem';
import { eventually } from './support/NexusProcess';
import { E2E_JWT_SECRET } from './support/e2eAuth';
import { getJson, postCommand } from './support/http';

jest.setTimeout(120_000);

const REPOSITORY = resolve(__dirname, '..', '..');
const TSX_CLI = require.resolve('tsx/cli');

/** The order-list pipeline as shipped, plus a bug: it throws on any order holding sku POISON. */
const buggyOrderList = definePipeline({
  name: 'order-list',
  source: 'core',
  options: { initialBackoffMs: 1, maxBackoffMs: 5 },
  pipe: (records$, { codec, upcasters, readModels }) =>
    records$.pipe(
      decode(codec),
      upcast(upcasters),
      ofType('OrderPlaced', 'OrderItemAdded', 'OrderConfirmed', 'OrderCancelled'),
      tap(failOnPoison),
      project(readModels.collection<OrderListItem>(ORDER_LIST_COLLECTION), orderListReducer),
    ),
});

function failOnPoison(event: PipelineEvent): void {
  const items = event.payload.items as Array<{ sku: string }> | undefined;
  if (items?.some((item) => item.sku === 'POISON')) throw new Error('cannot price sku POISON');
}

function nexusCli(dataDir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [TSX_CLI, 'handlers/cli/nexus.ts', '--data-dir', dataDir, ...args], { cwd: REPOSITORY, encoding: 'utf8' });
}

interface Served {
  system: EmbeddedSystem;
  baseUrl: string;
  close(): Promise<void>;
}

async function serveSystem(dataDir: string, pipelines?: EmbeddedSystem['pipelines']): Promise<Served> {
  const system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines });
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

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-poison-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a poison record', () => {
  it('is parked after 5 attempts while other orders flow, and redrive after the fix applies it in order', async () => {
    // given: the buggy pipeline is running
    const buggy = await serveSystem(dataDir, [router, buggyOrderList]);
    const poisoned = await postCommand(buggy.baseUrl, 'PlaceOrder', { orderId: 'order-poison', customerId: 'cust-p', items: [{ sku: 'POISON', quantity: 1, unitPrice: 1 }] });
    expect(poisoned.status).toBe(202);
    const cancelled = await postCommand(buggy.baseUrl, 'CancelOrder', { orderId: 'order-poison', reason: 'stuck' });
    expect(cancelled.status).toBe(202);

    // when: another order arrives after the poison one
    await postCommand(buggy.baseUrl, 'PlaceOrder', { orderId: 'order-fine', customerId: 'cust-p', items: [{ sku: 'BOOK', quantity: 1, unitPrice: 5 }] });

    // then: the other order flows, the poisoned key does not
    await eventually(async () => ((await getJson(buggy.baseUrl, '/api/queries/orders/order-fine')).status === 200 ? true : undefined));
    await buggy.system.whenCaughtUp(20_000);
    expect((await getJson(buggy.baseUrl, '/api/queries/orders/order-poison')).status).toBe(404);
    await buggy.close();

    // and the CLI shows the poison record with 5 attempts and the cancel parked behind it, in order
    const parked = JSON.parse(nexusCli(dataDir, 'dlq', 'list', '--pipeline', 'order-list', '--json')) as Array<Record<string, unknown>>;
    expect(parked.map((entry) => [entry.key, entry.attempts, entry.parkedBehindId === null])).toEqual([
      ['order-poison', 5, true],
      ['order-poison', 0, false],
    ]);
    expect(parked[0]?.errorMessage).toContain('cannot price sku POISON');

    // when: the fix is deployed (the shipped pipeline) and the key is redriven from the CLI
    const output = nexusCli(dataDir, 'dlq', 'redrive', '--pipeline', 'order-list', '--key', 'order-poison');
    expect(output).toMatch(/2 redriven/);

    // then: both records applied in order, nothing left parked
    const fixed = await serveSystem(dataDir);
    try {
      const doc = await eventually(async () => {
        const response = await getJson(fixed.baseUrl, '/api/queries/orders/order-poison');
        return response.status === 200 ? response.body : undefined;
      });
      expect(doc).toMatchObject({ status: 'CANCELLED', version: 2 });
      expect(JSON.parse(nexusCli(dataDir, 'dlq', 'list', '--json'))).toEqual([]);
    } finally {
      await fixed.close();
    }
  });
});
