import { join } from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../../../core/logging/Logger';
import { SagaJournal } from '../../../core/saga/SagaJournal';
import { commandIdOf } from '../../../core/saga/sagaTransitions';
import { fulfilmentIdOf, fulfilmentSaga } from '../../../domain';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { openSagaSystem, placeOrderBody } from './sagaHarness';
import type { SagaSystem } from './sagaHarness';

jest.setTimeout(60_000);

/** What a kill -9 before the pipeline's checkpoint commit leaves: the checkpoint where it was before the batch. */
function rewindCheckpoint(dataDir: string, pipelineName: string): void {
  const db = new Database(join(dataDir, 'pipelines.db'));
  try {
    db.prepare('UPDATE checkpoints SET position = 0 WHERE pipeline_name = ?').run(pipelineName);
  } finally {
    db.close();
  }
}

describe('saga crash and resume, embedded (SQLite)', () => {
  let harness: SagaSystem;

  afterEach(async () => {
    await harness.close();
    harness.remove();
  });

  it('sends no command twice when every event is delivered again after a crash before the checkpoint', async () => {
    // given a fulfilment that ran to its end, then a crash that lost the saga pipeline's checkpoint
    harness = await openSagaSystem();
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-1'), { correlationId: 'req-1' });
    await harness.settle();
    const trailBefore = await harness.trailOf(fulfilmentIdOf('o-1'));
    await harness.close();
    rewindCheckpoint(harness.dataDir, 'fulfilment');
    // when the system restarts and the saga pipeline reads the whole core stream again
    harness = await harness.reopen();
    await harness.settle();
    // then each command's events are in their streams once, and the saga's trail is unchanged
    expect(await harness.streamTypes('reservation-o-1')).toEqual(['StockReserved']);
    expect(await harness.streamTypes('payment-o-1')).toEqual(['PaymentTaken']);
    expect(await harness.streamTypes('shipment-o-1')).toEqual(['ShipmentDispatched']);
    expect((await harness.trailOf(fulfilmentIdOf('o-1'))).map((transition) => transition.eventId)).toEqual(trailBefore.map((transition) => transition.eventId));
  });

  it('resumes from its last recorded step when it was killed after recording a step and before sending its command', async () => {
    // given an order whose saga recorded SagaStarted and StepStarted(reserve-stock) and died before sending ReserveStock
    harness = await openSagaSystem();
    await harness.close();
    const offline = await openEmbeddedSystem({ dataDir: harness.dataDir, logger: silentLogger, pipelines: [] });
    const placed = await offline.commands.handle('PlaceOrder', placeOrderBody('o-2'), { correlationId: 'req-2' });
    const sagaId = fulfilmentIdOf('o-2');
    const data = { orderId: 'o-2', customerId: 'alice', items: [{ sku: 'sku-a', quantity: 2 }, { sku: 'sku-b', quantity: 1 }], amount: 30, currency: 'EUR' };
    await new SagaJournal(offline.eventStore, offline.codec).append(
      sagaId,
      0,
      [
        { type: 'SagaStarted', data: { sagaId, sagaType: 'fulfilment', ownerId: 'alice', data: JSON.stringify(data), startedBy: placed.eventIds[0] as string } },
        { type: 'StepStarted', data: { sagaId, step: 'reserve-stock', kind: 'action', commandType: 'ReserveStock', commandId: commandIdOf(sagaId, 'reserve-stock', 'action'), deadline: new Date(Date.now() + 60_000).toISOString() } },
      ],
      { correlationId: 'req-2' },
    );
    await offline.close();
    // when the system starts again and the order's event reaches the saga
    harness = await harness.reopen();
    const state = await harness.stateOf(sagaId);
    // then the in-flight command was sent, the saga went on to its end, and it was started once
    expect(state).toMatchObject({ status: 'completed', completedSteps: fulfilmentSaga.steps.map((step) => step.name) });
    expect(await harness.streamTypes('reservation-o-2')).toEqual(['StockReserved']);
    expect((await harness.trailOf(sagaId)).filter(({ event }) => event.type === 'SagaStarted')).toHaveLength(1);
  });

  it("does not run a command again whose events were stored before the crash: the key's stored result is replayed", async () => {
    // given the payment step's command already run (its events and key stored) when the saga died before recording its outcome
    harness = await openSagaSystem();
    await harness.system.commands.handle('PlaceOrder', placeOrderBody('o-3'), { correlationId: 'req-3' });
    await harness.settle();
    await harness.close();
    rewindCheckpoint(harness.dataDir, 'fulfilment');
    // when it restarts and the step's command is sent again under the same key
    harness = await harness.reopen();
    await harness.settle();
    // then the payment holds the one PaymentTaken, and the idempotency key answered from its stored result
    expect(await harness.streamTypes('payment-o-3')).toEqual(['PaymentTaken']);
    const keys = new Database(join(harness.dataDir, 'nexus.db'), { readonly: true });
    try {
      const rows = keys.prepare("SELECT idempotency_key AS key FROM idempotency_keys WHERE client_id = 'saga:fulfilment' AND idempotency_key LIKE 'fulfilment-o-3/%' ORDER BY idempotency_key").all() as { key: string }[];
      expect(rows.map((row) => row.key)).toEqual(['fulfilment-o-3/reserve-stock/action', 'fulfilment-o-3/ship/action', 'fulfilment-o-3/take-payment/action']);
    } finally {
      keys.close();
    }
  });
});
