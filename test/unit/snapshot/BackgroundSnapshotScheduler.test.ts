import { createJsonLogger } from '../../../core/logging/Logger';
import { BackgroundSnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import type { SnapshotRequestSettled } from '../../../core/snapshot/SnapshotScheduler';
import { SnapshotWriter } from '../../../core/snapshot/SnapshotWriter';
import type { SnapshotStore } from '../../../core/snapshot/SnapshotStore';
import { openSnapshotTestSystem, orderWith, orderWithItems } from './snapshotSystem';
import type { SnapshotTestSystem } from './snapshotSystem';

const ORDER = orderWith({ foldVersion: 1, everyEvents: 1000 });
let system: SnapshotTestSystem;

afterEach(async () => system.close());

function writerOn(store: SnapshotStore): SnapshotWriter {
  return new SnapshotWriter({ eventStore: system.eventStore, codec: system.env.codec, upcasters: system.upcasters, snapshots: store, aggregates: [ORDER] });
}

describe('BackgroundSnapshotScheduler', () => {
  it('does nothing in the caller\'s turn, then writes the snapshot', async () => {
    // given an order of 2 events
    system = await openSnapshotTestSystem(ORDER);
    await orderWithItems(system.plainService(), 'o-1', 1);
    const settled: SnapshotRequestSettled[] = [];
    const scheduler = new BackgroundSnapshotScheduler(system.writer, { onSettled: (entry) => settled.push(entry) });
    // when a snapshot is requested
    scheduler.request({ aggregateType: 'Order', aggregateId: 'o-1', version: 2, reason: 'events' });
    const inTurn = await system.snapshots.latest('o-1', '1', new Date());
    await scheduler.whenIdle();
    // then nothing was written before the caller yielded, and the snapshot is stored since
    expect(inTurn).toBeUndefined();
    expect(settled).toEqual([expect.objectContaining({ outcome: 'stored', request: expect.objectContaining({ aggregateId: 'o-1' }) })]);
    expect(await system.snapshots.latest('o-1', '1', new Date())).toMatchObject({ version: 2 });
  });

  it('merges a second request for an aggregate whose first still waits', async () => {
    // given an order of 1 event
    system = await openSnapshotTestSystem(ORDER);
    await orderWithItems(system.plainService(), 'o-2', 0);
    const settled: SnapshotRequestSettled[] = [];
    const scheduler = new BackgroundSnapshotScheduler(system.writer, { onSettled: (entry) => settled.push(entry) });
    // when two requests arrive in one turn
    scheduler.request({ aggregateType: 'Order', aggregateId: 'o-2', version: 1, reason: 'events' });
    scheduler.request({ aggregateType: 'Order', aggregateId: 'o-2', version: 1, reason: 'size' });
    await scheduler.whenIdle();
    // then one snapshot was written
    expect(settled).toHaveLength(1);
  });

  it('logs a failed write at warn, reports it, and goes on with the next request', async () => {
    // given a store whose write fails for one aggregate, and two orders
    system = await openSnapshotTestSystem(ORDER);
    await orderWithItems(system.plainService(), 'o-bad', 0);
    await orderWithItems(system.plainService(), 'o-good', 0);
    const real = system.snapshots;
    const failing: SnapshotStore = {
      latest: (...args) => real.latest(...args),
      put: async (snapshot) => {
        if (snapshot.aggregateId === 'o-bad') throw new Error('disk full');
        return real.put(snapshot);
      },
    };
    const lines: { level: string; message: string }[] = [];
    const settled: SnapshotRequestSettled[] = [];
    const scheduler = new BackgroundSnapshotScheduler(writerOn(failing), { logger: createJsonLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line) as { level: string; message: string }) }), onSettled: (entry) => settled.push(entry) });
    // when both are requested
    scheduler.request({ aggregateType: 'Order', aggregateId: 'o-bad', version: 1, reason: 'events' });
    scheduler.request({ aggregateType: 'Order', aggregateId: 'o-good', version: 1, reason: 'events' });
    await scheduler.whenIdle();
    // then the failure was logged and reported, and the other snapshot stored
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: 'snapshot failed; the next trigger or the sweep makes it' })]);
    expect(settled.map((entry) => [entry.request.aggregateId, entry.outcome ?? 'failed'])).toEqual([
      ['o-bad', 'failed'],
      ['o-good', 'stored'],
    ]);
    expect(await real.latest('o-good', '1', new Date())).toMatchObject({ version: 1 });
  });

  it('takes no request once closed', async () => {
    // given a closed scheduler
    system = await openSnapshotTestSystem(ORDER);
    await orderWithItems(system.plainService(), 'o-3', 0);
    const scheduler = new BackgroundSnapshotScheduler(system.writer);
    await scheduler.close();
    // when a request arrives
    scheduler.request({ aggregateType: 'Order', aggregateId: 'o-3', version: 1, reason: 'events' });
    await new Promise((resolve) => setImmediate(resolve));
    // then nothing is pending or written
    expect(scheduler.pending).toBe(0);
    expect(await system.snapshots.latest('o-3', '1', new Date())).toBeUndefined();
  });
});
