import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SagaJournal } from '../../../core/saga/SagaJournal';
import type { NoSaga, SagaState } from '../../../core/saga/SagaState';
import { fulfilmentIdOf } from '../../../domain';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { placeOrderBody } from './sagaHarness';

jest.setTimeout(60_000);

describe('the fulfilment saga in the pipeline worker thread (the server\'s layout)', () => {
  let dataDir: string;
  let system: EmbeddedSystem;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-saga-worker-'));
    system = await openEmbeddedSystem({ dataDir, pipelinesIn: 'worker', logLevel: 'silent' });
    await system.startPipelines();
  });

  afterAll(async () => {
    await system?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs to completion, its commands sent by the worker through its own command service on nexus.db', async () => {
    // given an order placed through the HTTP thread's command service
    await system.commands.handle('PlaceOrder', placeOrderBody('o-w'), { correlationId: 'req-w' });
    // when the worker's pipelines have caught up with everything the saga caused
    const journal = new SagaJournal(system.eventStore, system.codec);
    let state: SagaState | NoSaga = { status: 'none', version: 0 };
    for (let round = 0; round < 20 && state.status !== 'completed'; round += 1) {
      await system.whenCaughtUp(10_000);
      state = await journal.load(fulfilmentIdOf('o-w'));
    }
    // then the saga completed, and the events its commands produced are in the one event store
    expect(state).toMatchObject({ status: 'completed', completedSteps: ['reserve-stock', 'take-payment', 'ship'] });
    const shipment = await system.eventStore.readStream('shipment-o-w');
    expect(shipment.items.map((event) => [event.eventType, event.metadata])).toEqual([['ShipmentDispatched', { saga: 'fulfilment', sagaId: 'fulfilment-o-w', sagaStep: 'ship', sagaStepKind: 'action' }]]);
  });
});
