import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../core/logging/Logger';
import type { PipelineDefinition } from '../../../core/pipeline/PipelineDefinition';
import { definePipeline } from '../../../core/pipeline/PipelineDefinition';
import { runSaga } from '../../../core/saga/runSaga';
import type { SagaDefinition } from '../../../core/saga/SagaDefinition';
import { SagaJournal } from '../../../core/saga/SagaJournal';
import type { SagaTransition } from '../../../core/saga/SagaJournal';
import type { NoSaga, SagaState } from '../../../core/saga/SagaState';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { decode, upcast } from '../../../operators';
import router from '../../../pipelines/router';
import fulfilment from '../../../pipelines/fulfilment';
import { CORE_STREAM } from '../../../pipelines';

/** An embedded system on a fresh data directory, with the router and the given saga pipelines in-process. */
export interface SagaSystem {
  system: EmbeddedSystem;
  dataDir: string;
  journal: SagaJournal;
  /** Runs the pipelines until nothing is left to do (each saga command makes new events to route). */
  settle(): Promise<void>;
  /** The saga's state once settled. */
  stateOf(sagaId: string): Promise<SagaState | NoSaga>;
  trailOf(sagaId: string): Promise<SagaTransition[]>;
  /** Event types of one aggregate's stream, in order. */
  streamTypes(aggregateId: string): Promise<string[]>;
  /** Closes the system (the data stays, for a restart). */
  close(): Promise<void>;
  /** Opens the system again on the same data. */
  reopen(): Promise<SagaSystem>;
  remove(): void;
}

/** The saga's own pipeline over the core stream, as pipelines/fulfilment.ts declares the shipped one. */
export function testSagaPipeline(saga: SagaDefinition, name = saga.name): PipelineDefinition {
  return definePipeline({
    name,
    source: CORE_STREAM,
    uses: ['commands', 'sagas'],
    pipe: (records$, context) => records$.pipe(decode(context.codec), upcast(context.upcasters), runSaga(saga, context)),
  });
}

/** Opens the embedded system with the router and `sagas` (default: the shipped fulfilment pipeline). */
export async function openSagaSystem(options: { sagas?: readonly SagaDefinition[]; dataDir?: string } = {}): Promise<SagaSystem> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nexus-saga-'));
  const sagaPipelines = options.sagas === undefined ? [fulfilment] : options.sagas.map((saga) => testSagaPipeline(saga));
  const system = await openEmbeddedSystem({
    dataDir,
    logger: silentLogger,
    pipelines: [router, ...sagaPipelines],
    ...(options.sagas === undefined ? {} : { sagas: options.sagas }),
    runner: { idlePollMs: 20 },
  });
  await system.startPipelines();
  const journal = new SagaJournal(system.eventStore, system.codec);
  const settle = async (): Promise<void> => {
    // Each round routes the last commands' events and lets the saga react; a saga has a few steps.
    for (let round = 0; round < 12; round += 1) {
      const head = await system.eventStore.headPosition();
      await system.whenCaughtUp(10_000);
      if ((await system.eventStore.headPosition()) === head) return;
    }
  };
  const harness: SagaSystem = {
    system,
    dataDir,
    journal,
    settle,
    stateOf: async (sagaId) => {
      await settle();
      return journal.load(sagaId);
    },
    trailOf: async (sagaId) => {
      const trail: SagaTransition[] = [];
      for await (const transition of journal.transitions(sagaId)) trail.push(transition);
      return trail;
    },
    streamTypes: async (aggregateId) => (await system.eventStore.readStream(aggregateId, { limit: 1000 })).items.map((event) => event.eventType),
    close: () => system.close(),
    reopen: async () => {
      await system.close();
      return openSagaSystem({ ...options, dataDir });
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return harness;
}

/** A PlaceOrder body of `lines` lines of `quantity` units at `unitPrice`. */
export function placeOrderBody(orderId: string, options: { quantity?: number; unitPrice?: number; customerId?: string } = {}): Record<string, unknown> {
  const { quantity = 2, unitPrice = 10, customerId = 'alice' } = options;
  return { orderId, customerId, items: [{ sku: 'sku-a', quantity, unitPrice }, { sku: 'sku-b', quantity: 1, unitPrice }], currency: 'EUR' };
}
