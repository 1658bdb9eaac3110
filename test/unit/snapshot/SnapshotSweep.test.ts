import { BackgroundSnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import { SNAPSHOT_ERRORS } from '../../../core/snapshot/SnapshotErrors';
import { SnapshotWriter } from '../../../core/snapshot/SnapshotWriter';
import type { AggregateDefinition } from '../../../core/command/AggregateDefinition';
import type { OrderState } from '../../../domain';
import { orderAggregate } from '../../../domain';
import { openSnapshotTestSystem, orderWith, orderWithItems } from './snapshotSystem';
import type { SnapshotTestSystem } from './snapshotSystem';

const HOUR_MS = 3_600_000;
const EVERY_3 = orderWith({ foldVersion: 1, everyEvents: 3 });
let system: SnapshotTestSystem;

afterEach(async () => system.close());

const hoursFromNow = (hours: number) => (): Date => new Date(Date.now() + hours * HOUR_MS);

describe('SnapshotSweep', () => {
  it('covers a crash between trigger and creation: the lost request is made by the sweep a day later', async () => {
    // given a process whose trigger fired at version 3 but which died before writing (its scheduler takes no more work)
    system = await openSnapshotTestSystem(EVERY_3);
    const crashed = new BackgroundSnapshotScheduler(system.writer);
    await crashed.close();
    await orderWithItems(system.service({ scheduler: crashed }), 'o-lost', 2);
    const afterCrash = await system.snapshots.latest('o-lost', '1', new Date());
    // when the sweep runs within the day, then 25 hours later
    const early = await system.sweep(hoursFromNow(1)).run();
    const late = await system.sweep(hoursFromNow(25)).run();
    // then no snapshot existed after the crash, the early sweep left the order alone, and the late one snapshotted it
    expect(afterCrash).toBeUndefined();
    expect(early).toMatchObject({ examined: 0, snapshotted: 0 });
    expect(late).toMatchObject({ examined: 1, snapshotted: 1, failed: 0 });
    expect(await system.snapshots.latest('o-lost', '1', new Date())).toMatchObject({ version: 3 });
  });

  it('snapshots an aggregate that changed without reaching its trigger', async () => {
    // given an order of 2 events (under everyEvents) and no snapshot
    system = await openSnapshotTestSystem(EVERY_3);
    await orderWithItems(system.service(), 'o-quiet', 1);
    // when the sweep runs a day later
    const report = await system.sweep(hoursFromNow(25)).run();
    // then the order has a snapshot of its last version, which the next load starts from
    expect(report.snapshotted).toBe(1);
    expect(await system.service().loadState<OrderState>(EVERY_3 as never, 'o-quiet')).toMatchObject({ version: 2, snapshotVersion: 2 });
  });

  it('leaves an aggregate whose snapshot holds its last event', async () => {
    // given an order snapshotted by its trigger at its last version
    system = await openSnapshotTestSystem(EVERY_3);
    await orderWithItems(system.service(), 'o-current', 2);
    await system.scheduler.whenIdle();
    // when the sweep runs a day later
    const report = await system.sweep(hoursFromNow(25)).run();
    // then it examined the order and stored nothing
    expect(report).toMatchObject({ examined: 1, snapshotted: 0 });
  });

  it('never serves an expired snapshot, and deletes it when it sweeps', async () => {
    // given an order whose snapshot (at version 3) expired an hour ago
    system = await openSnapshotTestSystem(EVERY_3);
    await orderWithItems(system.plainService(), 'o-old', 2);
    const { state } = await system.plainService().loadState(EVERY_3 as never, 'o-old');
    const past = (hours: number): string => new Date(Date.now() - hours * HOUR_MS).toISOString();
    await system.snapshots.put({ aggregateType: 'Order', aggregateId: 'o-old', version: 3, foldVersion: '1', stateJson: JSON.stringify(state), lastEventAt: past(3), createdAt: past(2), expiresAt: past(1) });
    // when loading, then sweeping now
    const loaded = await system.service().loadState(EVERY_3 as never, 'o-old');
    const report = await system.sweep(() => new Date()).run();
    // then the load folded from the first event and the sweep deleted the row
    expect(loaded).toMatchObject({ version: 3, snapshotVersion: 0 });
    expect(report.deleted).toBe(1);
    expect(system.snapshotsDb.prepare('SELECT COUNT(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
  });

  it('gives a snapshot the declared time to live', async () => {
    // given an aggregate whose snapshots live one hour
    system = await openSnapshotTestSystem(orderWith({ foldVersion: 1, everyEvents: 1, ttlSeconds: 3600 }));
    // when its trigger makes a snapshot
    await orderWithItems(system.service(), 'o-ttl', 0);
    await system.scheduler.whenIdle();
    const snapshot = await system.snapshots.latest('o-ttl', '1', new Date());
    // then it expires an hour after it was made
    expect(Date.parse(snapshot?.expiresAt ?? '') - Date.parse(snapshot?.createdAt ?? '')).toBe(3_600_000);
    expect(await system.snapshots.latest('o-ttl', '1', hoursFromNow(2)())).toBeUndefined();
  });

  it('refuses to snapshot a state that JSON would change', async () => {
    // given an aggregate whose state holds a Date
    const dated: AggregateDefinition = {
      ...orderAggregate,
      snapshots: { foldVersion: 1 },
      decider: { ...orderAggregate.decider, evolve: (state, event) => ({ ...(orderAggregate.decider.evolve(state as OrderState, event as never) as object), seenAt: new Date() }) },
    } as AggregateDefinition;
    system = await openSnapshotTestSystem(dated);
    await orderWithItems(system.plainService(), 'o-dated', 0);
    const writer = new SnapshotWriter({ eventStore: system.eventStore, codec: system.env.codec, upcasters: system.upcasters, snapshots: system.snapshots, aggregates: [dated] });
    // when snapshotting it
    const failure = await writer.snapshot('Order', 'o-dated').catch((error: unknown) => error);
    // then it is refused and nothing is stored
    expect(failure).toMatchObject({ code: SNAPSHOT_ERRORS.STATE_NOT_JSON, details: { aggregateId: 'o-dated' } });
    expect(await system.snapshots.latest('o-dated', '1', new Date())).toBeUndefined();
  });

  it('refuses an invalid snapshot declaration naming the field', () => {
    // given an aggregate declaring everyEvents 0
    const invalid = orderWith({ foldVersion: 1, everyEvents: 0 });
    // when a writer is built for it
    const build = (): SnapshotWriter => new SnapshotWriter({ eventStore: undefined as never, codec: undefined as never, upcasters: undefined as never, snapshots: undefined as never, aggregates: [invalid] });
    // then it throws SNAPSHOT_OPTIONS_INVALID naming everyEvents
    expect(build).toThrow(expect.objectContaining({ code: SNAPSHOT_ERRORS.OPTIONS_INVALID, details: { aggregateType: 'Order', field: 'everyEvents' } }));
  });
});
