import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { silentLogger } from '../../../core/logging/Logger';

jest.setTimeout(60_000);

describe('embedded system with its pipelines in a worker thread', () => {
  let dataDir: string;
  let system: EmbeddedSystem | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-worker-'));
  });

  afterEach(async () => {
    await system?.close();
    system = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('projects an accepted command into the read model the main thread queries', async () => {
    // given a system whose runners run in the worker
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker' });
    await system.startPipelines();
    // when a command is handled on the main thread
    const placed = await system.commands.handle(
      'PlaceOrder',
      { orderId: 'order-w1', customerId: 'cust-w', items: [{ sku: 'A', quantity: 2, unitPrice: 5 }] },
      { correlationId: 'corr-w1' },
    );
    await system.whenCaughtUp(30_000);
    // then the worker's order-list projection has it and its metrics reach the main thread
    const order = await system.readModels.collection('orders').get(placed.aggregateId);
    expect(order?.version).toBe(1);
    const metrics = await system.pipelineMetrics();
    expect(metrics['order-list']?.recordsIn).toBeGreaterThanOrEqual(1);
    expect(metrics['order-list']?.batches).toBeGreaterThanOrEqual(1);
    expect(system.runners).toEqual([]);
    // and the worker reports its own heap
    const heap = await system.pipelineWorkerHeap();
    expect(heap?.heapUsed).toBeGreaterThan(0);
    expect(heap?.heapTotal).toBeGreaterThanOrEqual(heap?.heapUsed ?? 0);
  });

  (process.platform === 'linux' ? it : it.skip)('runs the worker thread at the nice value asked for, and the rest of the process as before', async () => {
    // given a system whose worker should yield a core to the request thread
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker', pipelineWorkerNice: 7 });
    await system.startPipelines();
    // when reading each thread's nice value from /proc
    const nices = readdirSync('/proc/self/task').map((task) => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
    // then exactly one thread (the worker) runs at 7, and this thread is untouched
    expect(nices.filter((nice) => nice === 7)).toHaveLength(1);
    expect(getPriority()).toBe(0);
  });

  it('wakes the worker runners after an append on the main thread, without waiting for a poll', async () => {
    // given worker runners that would poll only every ten minutes
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker', runner: { idlePollMs: 600_000 } });
    await system.startPipelines();
    await system.whenCaughtUp(30_000);
    const orders = system.readModels.collection('orders');
    // when an order is placed
    await system.commands.handle('PlaceOrder', { orderId: 'order-w3', customerId: 'cust-w', items: [] }, { correlationId: 'corr-w3' });
    // then the projection shows it, with nobody asking the runners to catch up
    let order = await orders.get('order-w3');
    while (order === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order = await orders.get('order-w3');
    }
    expect(order.version).toBe(1);
  });

  it('resumes from the worker checkpoints after close and projects nothing twice', async () => {
    // given an order projected by a worker that was then stopped gracefully
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker' });
    await system.startPipelines();
    await system.commands.handle('PlaceOrder', { orderId: 'order-w2', customerId: 'cust-w', items: [] }, { correlationId: 'corr-w2' });
    await system.whenCaughtUp(30_000);
    await system.close();
    // when the system is opened again
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker' });
    await system.startPipelines();
    await system.whenCaughtUp(30_000);
    // then the new worker read nothing again
    const metrics = await system.pipelineMetrics();
    expect(metrics['order-list']?.recordsIn).toBe(0);
    expect((await system.readModels.collection('orders').get('order-w2'))?.version).toBe(1);
  });

  it('runs only the named pipelines; the others keep their checkpoints and catch up when run again', async () => {
    // given a worker that runs the router and the order list, not the fulfilment saga
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker', pipelineNames: ['router', 'order-list'] });
    await system.startPipelines();
    // when an order with lines is placed (which starts the saga where the saga pipeline runs)
    await system.commands.handle('PlaceOrder', { orderId: 'order-p1', customerId: 'cust-p', items: [{ sku: 'A', quantity: 1, unitPrice: 5 }] }, { correlationId: 'corr-p1' });
    await system.whenCaughtUp(30_000);
    // then the order list has it, only the named runners report, and no saga started
    expect((await system.readModels.collection('orders').get('order-p1'))?.version).toBe(1);
    expect(Object.keys(await system.pipelineMetrics()).sort()).toEqual(['order-list', 'router']);
    expect((await system.eventStore.readStream('fulfilment-order-p1')).items).toEqual([]);
    await system.close();
    // when the system starts again with every pipeline
    system = await openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker' });
    await system.startPipelines();
    await system.whenCaughtUp(30_000);
    // then the saga pipeline catches up from its own checkpoint and runs the saga for that order
    const sagaEvents = await waitForEvents(system, 'fulfilment-order-p1');
    expect(sagaEvents[0]?.eventType).toBe('SagaStarted');
  });

  it('refuses a pipeline name that is not declared', async () => {
    // given a name no pipeline has
    // when the system opens
    // then it is refused naming the declared pipelines
    await expect(openEmbeddedSystem({ dataDir, logLevel: 'silent', pipelinesIn: 'worker', pipelineNames: ['shipping'] })).rejects.toThrow(
      /pipelineNames names "shipping", not a declared pipeline; declared: router, order-list/,
    );
  });

  it('refuses custom pipelines or a logger, which cannot cross into the worker', async () => {
    // when opening a worker-mode system with a logger
    const opening = openEmbeddedSystem({ dataDir, pipelinesIn: 'worker', logger: silentLogger });
    // then it is refused before anything is opened
    await expect(opening).rejects.toThrow(/omit pipelines and logger/);
  });
});

async function waitForEvents(system: EmbeddedSystem, sagaId: string): Promise<{ eventType: string }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const events = (await system.eventStore.readStream(sagaId)).items;
    if (events.length > 0 || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
