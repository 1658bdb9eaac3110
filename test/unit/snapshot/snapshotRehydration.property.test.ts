import fc from 'fast-check';
import { CommandService } from '../../../core/command/CommandService';
import { BackgroundSnapshotScheduler } from '../../../core/snapshot/SnapshotScheduler';
import { SnapshotWriter } from '../../../core/snapshot/SnapshotWriter';
import { openSnapshotTestSystem, orderWith, PLACE } from './snapshotSystem';
import type { SnapshotTestSystem } from './snapshotSystem';

/** One Order command of a random sequence (after the PlaceOrder that starts it), and whether the snapshot work may run after it. */
type Step = { command: 'AddItem' | 'ConfirmOrder' | 'CancelOrder'; sku: string; quantity: number; settle: boolean };

const step: fc.Arbitrary<Step> = fc.record({
  command: fc.constantFrom('AddItem', 'AddItem', 'AddItem', 'ConfirmOrder', 'CancelOrder'),
  sku: fc.stringMatching(/^[A-Z]{1,3}-[0-9]{1,2}$/),
  quantity: fc.integer({ min: 1, max: 50 }),
  settle: fc.boolean(),
});

let system: SnapshotTestSystem;
let run = 0;

beforeAll(async () => {
  system = await openSnapshotTestSystem(orderWith({ foldVersion: 1, everyEvents: 1 }));
});
afterAll(async () => system.close());

describe('rehydration from a snapshot', () => {
  it('equals rehydration from the first event, over random Order command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(step, { maxLength: 25 }), async (everyEvents, steps) => {
        // given an order aggregate snapshotting every `everyEvents` events, through the real service, writer and SQLite stores
        const aggregate = orderWith({ foldVersion: 1, everyEvents });
        const sources = { eventStore: system.eventStore, codec: system.env.codec, upcasters: system.upcasters };
        const scheduler = new BackgroundSnapshotScheduler(new SnapshotWriter({ ...sources, snapshots: system.snapshots, aggregates: [aggregate] }));
        const withSnapshots = new CommandService({ ...sources, aggregates: [aggregate], snapshots: { store: system.snapshots, scheduler } });
        const fromZero = new CommandService({ ...sources, aggregates: [aggregate] });
        const orderId = `p-${(run += 1)}`;
        // when the sequence runs (refused commands included), the snapshot work settling at random points
        await withSnapshots.handle('PlaceOrder', { ...PLACE, orderId }, { correlationId: 'place' });
        for (const [index, { command, sku, quantity, settle }] of steps.entries()) {
          const body = command === 'AddItem' ? { orderId, sku, quantity, unitPrice: 1.5 } : command === 'CancelOrder' ? { orderId, reason: `r${index}` } : { orderId };
          await withSnapshots.handle(command, body, { correlationId: `c${index}` }).catch((error: { code?: string }) => {
            if (error.code !== 'DOMAIN_RULE_VIOLATION') throw error;
          });
          if (settle) await scheduler.whenIdle();
        }
        await scheduler.close();
        // then the load from the snapshot plus its tail equals the fold from the first event
        const loaded = await withSnapshots.loadState(aggregate as never, orderId);
        const replayed = await fromZero.loadState(aggregate as never, orderId);
        expect({ state: loaded.state, version: loaded.version }).toEqual({ state: replayed.state, version: replayed.version });
        if (replayed.version >= everyEvents) expect(loaded.snapshotVersion).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });
});
