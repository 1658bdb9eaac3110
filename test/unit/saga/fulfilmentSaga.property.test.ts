import fc from 'fast-check';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fulfilmentIdOf } from '../../../domain';
import { openSagaSystem } from './sagaHarness';
import type { SagaSystem } from './sagaHarness';

jest.setTimeout(180_000);

/** An order's fate: fulfilled, short of stock (a line above 1000 units), or declined (above 5000 EUR). */
type Fate = 'fulfilled' | 'short' | 'declined';

const LINES: Record<Fate, { quantity: number; unitPrice: number }> = {
  fulfilled: { quantity: 2, unitPrice: 10 },
  short: { quantity: 2000, unitPrice: 1 },
  declined: { quantity: 1, unitPrice: 6000 },
};

/** What each fate leaves in the fulfilment aggregates' streams. */
const EXPECTED: Record<Fate, { reservation: string[]; payment: string[]; shipment: string[]; status: string }> = {
  fulfilled: { reservation: ['StockReserved'], payment: ['PaymentTaken'], shipment: ['ShipmentDispatched'], status: 'completed' },
  short: { reservation: ['StockUnavailable'], payment: [], shipment: [], status: 'aborted' },
  declined: { reservation: ['StockReserved', 'StockReleased'], payment: ['PaymentDeclined'], shipment: [], status: 'aborted' },
};

function rewindCheckpoint(dataDir: string): void {
  const db = new Database(join(dataDir, 'pipelines.db'));
  try {
    db.prepare("UPDATE checkpoints SET position = 0 WHERE pipeline_name = 'fulfilment'").run();
  } finally {
    db.close();
  }
}

describe('the fulfilment saga under any mix of fates and crashes (fast-check, embedded SQLite)', () => {
  it('ends every saga as its fate says and decides every command once, however often the saga pipeline is crashed and replayed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Fate>('fulfilled', 'short', 'declined'), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2 }), async (fates, crashes) => {
        // given orders with these fates
        let harness: SagaSystem = await openSagaSystem();
        try {
          for (const [index, fate] of fates.entries()) {
            const { quantity, unitPrice } = LINES[fate];
            await harness.system.commands.handle('PlaceOrder', { orderId: `o-${index}`, customerId: 'alice', items: [{ sku: 'sku-a', quantity, unitPrice }], currency: 'EUR' }, { correlationId: `req-${index}` });
          }
          // when the saga pipeline runs, and is crashed before its checkpoint and replayed from the start `crashes` times
          await harness.settle();
          for (let crash = 0; crash < crashes; crash += 1) {
            await harness.close();
            rewindCheckpoint(harness.dataDir);
            harness = await harness.reopen();
            await harness.settle();
          }
          // then each saga ended as its fate says, and each aggregate holds what one run of each command decided
          for (const [index, fate] of fates.entries()) {
            const expected = EXPECTED[fate];
            expect(await harness.stateOf(fulfilmentIdOf(`o-${index}`))).toMatchObject({ status: expected.status });
            expect(await harness.streamTypes(`reservation-o-${index}`)).toEqual(expected.reservation);
            expect(await harness.streamTypes(`payment-o-${index}`)).toEqual(expected.payment);
            expect(await harness.streamTypes(`shipment-o-${index}`)).toEqual(expected.shipment);
          }
        } finally {
          await harness.close();
          harness.remove();
        }
      }),
      { numRuns: 8 },
    );
  });
});
