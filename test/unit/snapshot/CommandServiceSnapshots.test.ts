import type { OrderState } from '../../../domain';
import type { SnapshotRequest, SnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import { BackgroundSnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import type { SnapshotStore } from '../../../core/snapshot/SnapshotStore';
import { createJsonLogger } from '../../../core/logging/Logger';
import { CommandService } from '../../../core/command/CommandService';
import { SnapshotWriter } from '../../../core/snapshot/SnapshotWriter';
import { openSnapshotTestSystem, orderWith, orderWithItems, PLACE } from './snapshotSystem';
import type { SnapshotTestSystem } from './snapshotSystem';

const EVERY_3 = orderWith({ foldVersion: 1, everyEvents: 3 });
let system: SnapshotTestSystem;

afterEach(async () => system.close());

/** Records what the trigger asks for, and passes it on to the real scheduler. */
function recording(scheduler: SnapshotScheduler): SnapshotScheduler & { requests: SnapshotRequest[] } {
  const requests: SnapshotRequest[] = [];
  return { requests, request: (request) => (requests.push(request), scheduler.request(request)) };
}

describe('CommandService with snapshots', () => {
  it('loads from the snapshot and reads only the events after it', async () => {
    // given an order of 5 events and a snapshot at version 3 whose state is marked
    system = await openSnapshotTestSystem(EVERY_3);
    await orderWithItems(system.plainService(), 'o-1', 4);
    const marked = { ...(await system.plainService().loadState<OrderState>(EVERY_3 as never, 'o-1')).state, customerId: 'from-snapshot' };
    await system.snapshots.put({ aggregateType: 'Order', aggregateId: 'o-1', version: 3, foldVersion: '1', stateJson: JSON.stringify(marked), lastEventAt: new Date().toISOString(), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    // when loading through the service with snapshots
    const loaded = await system.service().loadState<OrderState>(EVERY_3 as never, 'o-1');
    // then the fold started at the snapshot (the mark survived) and reached the last version
    expect(loaded).toMatchObject({ version: 5, snapshotVersion: 3, state: { customerId: 'from-snapshot' } });
  });

  it('requests a snapshot once the events since the last one reach everyEvents, and not before', async () => {
    // given a service whose order snapshots every 3 events
    system = await openSnapshotTestSystem(EVERY_3);
    const scheduler = recording(system.scheduler);
    const service = system.service({ scheduler });
    // when placing an order and adding one item, then a second
    await orderWithItems(service, 'o-2', 1);
    const before = scheduler.requests.length;
    await service.handle('AddItem', { orderId: 'o-2', sku: 'X', quantity: 1, unitPrice: 1 }, { correlationId: 'c' });
    await system.scheduler.whenIdle();
    // then nothing was asked at version 2, a snapshot at version 3, and it is stored
    expect(before).toBe(0);
    expect(scheduler.requests).toEqual([{ aggregateType: 'Order', aggregateId: 'o-2', version: 3, reason: 'events' }]);
    expect(await system.snapshots.latest('o-2', '1', new Date())).toMatchObject({ version: 3, foldVersion: '1' });
  });

  it('counts the events since the snapshot the command was loaded from', async () => {
    // given an order snapshotted at version 3
    system = await openSnapshotTestSystem(EVERY_3);
    const scheduler = recording(system.scheduler);
    const service = system.service({ scheduler });
    await orderWithItems(service, 'o-3', 2);
    await system.scheduler.whenIdle();
    // when two more items are added, then a third
    await service.handle('AddItem', { orderId: 'o-3', sku: 'A', quantity: 1, unitPrice: 1 }, { correlationId: 'c4' });
    await service.handle('AddItem', { orderId: 'o-3', sku: 'B', quantity: 1, unitPrice: 1 }, { correlationId: 'c5' });
    const afterTwo = scheduler.requests.length;
    await service.handle('AddItem', { orderId: 'o-3', sku: 'C', quantity: 1, unitPrice: 1 }, { correlationId: 'c6' });
    await system.scheduler.whenIdle();
    // then the next request came at version 6 (3 after the snapshot), and version 6 is stored
    expect(afterTwo).toBe(1);
    expect(scheduler.requests.map((request) => request.version)).toEqual([3, 6]);
    expect(await system.snapshots.latest('o-3', '1', new Date())).toMatchObject({ version: 6 });
  });

  it('requests a snapshot when the state reaches maxStateBytes', async () => {
    // given an order aggregate that snapshots on size only, at 400 bytes of JSON
    system = await openSnapshotTestSystem(orderWith({ foldVersion: 1, maxStateBytes: 400 }));
    const scheduler = recording(system.scheduler);
    const service = system.service({ scheduler });
    // when items are added until the state passes 400 bytes
    await orderWithItems(service, 'o-4', 8);
    await system.scheduler.whenIdle();
    // then a size request came, and every request was for a state of at least 400 bytes
    const { state } = await system.plainService().loadState<OrderState>(EVERY_3 as never, 'o-4');
    expect(Buffer.byteLength(JSON.stringify(state))).toBeGreaterThanOrEqual(400);
    expect(scheduler.requests.length).toBeGreaterThan(0);
    expect(scheduler.requests.every((request) => request.reason === 'size')).toBe(true);
    expect(await system.snapshots.latest('o-4', '1', new Date())).toBeDefined();
  });

  it('ignores a snapshot of another fold version, and replaces it when the trigger fires', async () => {
    // given an order of 2 events with a snapshot made by fold version 0 holding a wrong state
    system = await openSnapshotTestSystem(EVERY_3);
    await orderWithItems(system.plainService(), 'o-5', 1);
    await system.snapshots.put({ aggregateType: 'Order', aggregateId: 'o-5', version: 2, foldVersion: '0', stateJson: '{"status":"CANCELLED","stale":true}', lastEventAt: new Date().toISOString(), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const service = system.service();
    // when loading, then adding an item (version 3 fires the trigger)
    const loaded = await service.loadState<OrderState>(EVERY_3 as never, 'o-5');
    await service.handle('AddItem', { orderId: 'o-5', sku: 'N', quantity: 1, unitPrice: 1 }, { correlationId: 'c' });
    await system.scheduler.whenIdle();
    // then the stale state was never served, and fold version 1's snapshot replaced it
    expect(loaded).toMatchObject({ version: 2, snapshotVersion: 0, state: { status: 'PLACED' } });
    const replaced = await system.snapshots.latest('o-5', '1', new Date());
    expect(replaced).toMatchObject({ version: 3, foldVersion: '1' });
    expect(JSON.parse(replaced?.stateJson ?? '{}')).toEqual((await system.plainService().loadState(EVERY_3 as never, 'o-5')).state);
    expect(await system.snapshots.latest('o-5', '0', new Date())).toBeUndefined();
  });

  it('answers the command while the snapshot write is blocked: the snapshot is requested, not awaited', async () => {
    // given a snapshot store whose writes wait for a gate
    system = await openSnapshotTestSystem(EVERY_3);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const real = system.snapshots;
    const gated: SnapshotStore = { latest: (...args) => real.latest(...args), put: async (snapshot) => (await gate, real.put(snapshot)) };
    const writer = new SnapshotWriter({ eventStore: system.eventStore, codec: system.env.codec, upcasters: system.upcasters, snapshots: gated, aggregates: [EVERY_3] });
    const scheduler = new BackgroundSnapshotScheduler(writer);
    const service = system.service({ scheduler });
    // when the third event fires the trigger
    await orderWithItems(service, 'o-6', 1);
    const result = await service.handle('AddItem', { orderId: 'o-6', sku: 'Z', quantity: 1, unitPrice: 1 }, { correlationId: 'c' });
    // then the command answered while the snapshot was still pending
    expect(result.version).toBe(3);
    expect(scheduler.pending).toBe(1);
    expect(await real.latest('o-6', '1', new Date())).toBeUndefined();
    open();
    await scheduler.whenIdle();
    expect(await real.latest('o-6', '1', new Date())).toMatchObject({ version: 3 });
  });

  it('logs a scheduler that throws and still answers the command', async () => {
    // given a scheduler that refuses every request
    system = await openSnapshotTestSystem(EVERY_3);
    const lines: string[] = [];
    const refusing: SnapshotScheduler = {
      request: () => {
        throw new Error('queue full');
      },
    };
    const service = new CommandService({ eventStore: system.eventStore, codec: system.env.codec, upcasters: system.upcasters, aggregates: [EVERY_3], logger: createJsonLogger({ level: 'warn', write: (line) => lines.push(line) }), snapshots: { store: system.snapshots, scheduler: refusing } });
    // when the third event fires the trigger
    await orderWithItems(service, 'o-7', 1);
    const result = await service.handle('AddItem', { orderId: 'o-7', sku: 'Z', quantity: 1, unitPrice: 1 }, { correlationId: 'c' });
    // then the command succeeded and the refusal was logged
    expect(result.version).toBe(3);
    expect(lines.map((line) => JSON.parse(line) as { message: string })).toEqual([expect.objectContaining({ message: 'snapshot not requested' })]);
  });

  it('looks no snapshot up for an aggregate under an id it generated, and does for a given id', async () => {
    // given a service whose snapshot store counts its reads
    system = await openSnapshotTestSystem(EVERY_3);
    const real = system.snapshots;
    const read: string[] = [];
    const counting: SnapshotStore = { latest: (aggregateId, ...rest) => (read.push(aggregateId), real.latest(aggregateId, ...rest)), put: (snapshot) => real.put(snapshot) };
    const service = system.service({ store: counting });
    // when placing an order without an id, then one with an id
    const generated = await service.handle('PlaceOrder', PLACE, { correlationId: 'c1' });
    await service.handle('PlaceOrder', { ...PLACE, orderId: 'o-9' }, { correlationId: 'c2' });
    // then only the given id was looked up, and the generated one was created all the same
    expect(generated).toMatchObject({ aggregateId: 'order-1', version: 1 });
    expect(read).toEqual(['o-9']);
  });

  it('folds from the first event when the snapshot store fails', async () => {
    // given an order of 3 events and a snapshot store whose database is closed
    system = await openSnapshotTestSystem(EVERY_3);
    await orderWithItems(system.plainService(), 'o-8', 2);
    system.snapshotsDb.close();
    // when loading
    const loaded = await system.service().loadState<OrderState>(EVERY_3 as never, 'o-8');
    // then the state is the full fold
    expect(loaded).toMatchObject({ version: 3, snapshotVersion: 0, state: { status: 'PLACED' } });
  });
});
