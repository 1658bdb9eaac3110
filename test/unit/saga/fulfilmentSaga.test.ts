import { fulfilmentIdOf } from '../../../domain';
import { openSagaSystem, placeOrderBody } from './sagaHarness';
import type { SagaSystem } from './sagaHarness';

jest.setTimeout(60_000);

describe('the fulfilment saga, embedded (SQLite)', () => {
  let harness: SagaSystem;

  beforeEach(async () => {
    harness = await openSagaSystem();
  });

  afterEach(async () => {
    await harness.close();
    harness.remove();
  });

  it('reserves the stock, takes the payment and ships an order placed with its lines', async () => {
    // given an order placed with two lines worth 30 EUR
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-1'), { correlationId: 'req-1' });
    // when the pipelines have run
    const state = await harness.stateOf(fulfilmentIdOf('o-1'));
    // then the saga completed every step, and each aggregate holds the one event its command decided
    expect(state).toMatchObject({ status: 'completed', completedSteps: ['reserve-stock', 'take-payment', 'ship'], compensatedSteps: [], inFlight: null, ownerId: 'alice' });
    expect(await harness.streamTypes('reservation-o-1')).toEqual(['StockReserved']);
    expect(await harness.streamTypes('payment-o-1')).toEqual(['PaymentTaken']);
    expect(await harness.streamTypes('shipment-o-1')).toEqual(['ShipmentDispatched']);
  });

  it('records the whole audit trail in order on the saga stream, each command started before its outcome', async () => {
    // given a completed fulfilment
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-2'), { correlationId: 'req-2' });
    await harness.settle();
    // when its stream is read
    const trail = await harness.trailOf(fulfilmentIdOf('o-2'));
    // then every transition is there, versions 1..n, in the order they happened
    expect(trail.map(({ event }) => [event.type, 'step' in event.data ? event.data.step : undefined])).toEqual([
      ['SagaStarted', undefined],
      ['StepStarted', 'reserve-stock'],
      ['StepCompleted', 'reserve-stock'],
      ['StepStarted', 'take-payment'],
      ['StepCompleted', 'take-payment'],
      ['StepStarted', 'ship'],
      ['StepCompleted', 'ship'],
      ['SagaCompleted', undefined],
    ]);
    expect(trail.map((transition) => transition.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stored = await harness.system.eventStore.readStream(fulfilmentIdOf('o-2'), { limit: 100 });
    expect(new Set(stored.items.map((event) => event.aggregateType))).toEqual(new Set(['Saga']));
    expect(stored.items.every((event) => event.correlationId === 'req-2')).toBe(true);
  });

  it('releases the reserved stock when the payment is declined, and aborts', async () => {
    // given an order above the payment limit (2 x 3000 + 3000 EUR)
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-3', { unitPrice: 3000 }), { correlationId: 'req-3' });
    // when the pipelines have run
    const state = await harness.stateOf(fulfilmentIdOf('o-3'));
    const trail = await harness.trailOf(fulfilmentIdOf('o-3'));
    // then the payment failed, the stock reservation was released, and nothing was shipped
    expect(state).toMatchObject({ status: 'aborted', completedSteps: ['reserve-stock'], compensatedSteps: ['reserve-stock'], failure: { step: 'take-payment', reason: 'event', detail: 'PaymentDeclined' } });
    expect(await harness.streamTypes('reservation-o-3')).toEqual(['StockReserved', 'StockReleased']);
    expect(await harness.streamTypes('payment-o-3')).toEqual(['PaymentDeclined']);
    expect(await harness.streamTypes('shipment-o-3')).toEqual([]);
    expect(trail.slice(-4).map(({ event }) => event.type)).toEqual(['StepFailed', 'StepStarted', 'StepCompensated', 'SagaAborted']);
  });

  it('fails the first step when the stock is short, with nothing to compensate', async () => {
    // given an order for more units than can be reserved
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-4', { quantity: 5000 }), { correlationId: 'req-4' });
    // when the pipelines have run
    const state = await harness.stateOf(fulfilmentIdOf('o-4'));
    // then the saga aborted at its first step without taking any payment
    expect(state).toMatchObject({ status: 'aborted', completedSteps: [], compensatedSteps: [], failure: { step: 'reserve-stock', reason: 'event', detail: 'StockUnavailable' } });
    expect(await harness.streamTypes('payment-o-4')).toEqual([]);
  });

  it('starts no saga for an order placed without lines', async () => {
    // given an order placed empty
    await harness.system.commands.handle('PlaceOrder', { orderId: 'o-5', customerId: 'alice', items: [] }, { correlationId: 'req-5' });
    // when the pipelines have run
    const state = await harness.stateOf(fulfilmentIdOf('o-5'));
    // then there is no saga
    expect(state.status).toBe('none');
  });
});
