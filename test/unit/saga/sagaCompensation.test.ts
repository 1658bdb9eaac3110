import { defineSaga } from '../../../core/saga/SagaDefinition';
import type { SagaDefinition } from '../../../core/saga/SagaDefinition';
import type { OrderPlacedData } from '../../../domain';
import { openSagaSystem, placeOrderBody } from './sagaHarness';
import type { SagaSystem } from './sagaHarness';

jest.setTimeout(60_000);

type Data = { orderId: string; customerId: string; amount: number };

const reserve = (orderId: string, quantity: number, prefix = 'reservation'): { type: string; body: Record<string, unknown> } => ({
  type: 'ReserveStock',
  body: { reservationId: `${prefix}-${orderId}`, orderId, items: [{ sku: 'sku-a', quantity }] },
});
const release = (orderId: string): { type: string; body: Record<string, unknown> } => ({ type: 'ReleaseStock', body: { reservationId: `reservation-${orderId}` } });
const pay = ({ orderId, customerId, amount }: Data): { type: string; body: Record<string, unknown> } => ({ type: 'TakePayment', body: { paymentId: `payment-${orderId}`, orderId, customerId, amount, currency: 'EUR' } });
const refund = ({ orderId }: Data): { type: string; body: Record<string, unknown> } => ({ type: 'RefundPayment', body: { paymentId: `payment-${orderId}` } });

function sagaOf(name: string, steps: SagaDefinition<Data>['steps']): SagaDefinition {
  const saga = defineSaga<Data>({
    name,
    startedBy: 'OrderPlaced',
    sagaId: (event) => `${name}-${event.envelope.aggregateId}`,
    data: (event) => {
      const { orderId, customerId, total } = event.payload as OrderPlacedData;
      return { orderId, customerId, amount: total.amount };
    },
    steps,
  });
  return saga as unknown as SagaDefinition;
}

/** reserve -> pay -> reserve 5000 more units, which the stock refuses: both completed steps are undone. */
const threeSteps = sagaOf('three-steps', [
  { name: 'reserve', command: ({ orderId }) => reserve(orderId, 1), completedBy: ['StockReserved'], failedBy: ['StockUnavailable'], timeoutMs: 60_000, compensation: ({ orderId }) => release(orderId) },
  { name: 'pay', command: pay, completedBy: ['PaymentTaken'], failedBy: ['PaymentDeclined'], timeoutMs: 60_000, compensation: refund },
  { name: 'reserve-more', command: ({ orderId }) => reserve(orderId, 5000, 'extra'), completedBy: ['StockReserved'], failedBy: ['StockUnavailable'], timeoutMs: 60_000 },
]);

/** reserve -> pay, whose completion (a ShipmentDispatched) never comes: the step times out. */
const slowPayment = sagaOf('slow-payment', [
  { name: 'reserve', command: ({ orderId }) => reserve(orderId, 1), completedBy: ['StockReserved'], timeoutMs: 60_000, compensation: ({ orderId }) => release(orderId) },
  { name: 'pay', command: pay, completedBy: ['ShipmentDispatched'], timeoutMs: 1, compensation: refund },
]);

/** A first step whose command is refused by the command service (an invalid body). */
const refused = sagaOf('refused', [{ name: 'reserve', command: ({ orderId }) => reserve(orderId, 0), completedBy: ['StockReserved'], timeoutMs: 60_000 }]);

describe('saga compensation and timeouts, embedded (SQLite)', () => {
  let harness: SagaSystem;

  afterEach(async () => {
    await harness.close();
    harness.remove();
  });

  it('compensates the completed steps in reverse order when a later step fails', async () => {
    // given a three-step saga whose last step fails
    harness = await openSagaSystem({ sagas: [threeSteps] });
    // when an order starts it
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-1'), { correlationId: 'req-1' });
    const state = await harness.stateOf('three-steps-o-1');
    const trail = await harness.trailOf('three-steps-o-1');
    // then the payment was refunded before the stock was released, and the saga aborted
    expect(state).toMatchObject({ status: 'aborted', completedSteps: ['reserve', 'pay'], compensatedSteps: ['pay', 'reserve'], failure: { step: 'reserve-more', reason: 'event' } });
    expect(trail.slice(6).map(({ event }) => [event.type, 'step' in event.data ? event.data.step : undefined])).toEqual([
      ['StepFailed', 'reserve-more'],
      ['StepStarted', 'pay'],
      ['StepCompensated', 'pay'],
      ['StepStarted', 'reserve'],
      ['StepCompensated', 'reserve'],
      ['SagaAborted', undefined],
    ]);
    expect(await harness.streamTypes('payment-o-1')).toEqual(['PaymentTaken', 'PaymentRefunded']);
    expect(await harness.streamTypes('reservation-o-1')).toEqual(['StockReserved', 'StockReleased']);
  });

  it('fails a step whose outcome does not come by its deadline, then compensates it and the steps before it', async () => {
    // given a saga waiting on a payment outcome that never comes, past its deadline
    harness = await openSagaSystem({ sagas: [slowPayment] });
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-2'), { correlationId: 'req-2' });
    const waiting = await harness.stateOf('slow-payment-o-2');
    expect(waiting).toMatchObject({ status: 'running', inFlight: { step: 'pay', kind: 'action' } });
    await untilPast(waiting.status === 'none' ? '' : (waiting.inFlight?.deadline ?? ''));
    // when the saga timer sweeps (this sweep, or the system's own one a second, whichever comes first)
    await harness.system.sagaTimer.sweep();
    // then the step failed with reason timeout; the payment (taken, its event was not the awaited one) was refunded, then the stock released
    const state = await harness.stateOf('slow-payment-o-2');
    expect(state).toMatchObject({ status: 'aborted', completedSteps: ['reserve'], compensatedSteps: ['pay', 'reserve'], failure: { step: 'pay', reason: 'timeout' } });
    expect(await harness.streamTypes('payment-o-2')).toEqual(['PaymentTaken', 'PaymentRefunded']);
    expect(await harness.streamTypes('reservation-o-2')).toEqual(['StockReserved', 'StockReleased']);
    // and a second sweep finds nothing left to time out
    expect(await harness.system.sagaTimer.sweep()).toEqual([]);
  });

  it('fails a step whose command the command service refuses, naming the refusal', async () => {
    // given a saga whose first command is invalid (zero units)
    harness = await openSagaSystem({ sagas: [refused] });
    // when an order starts it
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-3'), { correlationId: 'req-3' });
    const state = await harness.stateOf('refused-o-3');
    // then the step failed as rejected, with the command's error code, and the saga aborted
    expect(state).toMatchObject({ status: 'aborted', failure: { step: 'reserve', reason: 'rejected', detail: expect.stringContaining('INVALID_COMMAND') } });
    expect(await harness.streamTypes('reservation-o-3')).toEqual([]);
  });
});

/** Resolves once the clock is past `iso` (a step's deadline one millisecond after it started). */
async function untilPast(iso: string): Promise<void> {
  while (new Date().toISOString() <= iso) await new Promise((resolve) => setTimeout(resolve, 5));
}
