import { lastValueFrom, of, toArray } from 'rxjs';
import { silentLogger } from '../../../core/logging/Logger';
import type { PipelineContext } from '../../../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import { runSaga, SAGA_PORTS_MISSING } from '../../../core/saga/runSaga';
import { defineSaga } from '../../../core/saga/SagaDefinition';
import type { SagaStep } from '../../../core/saga/SagaDefinition';
import { sagaStateOf } from '../../../core/saga/SagaState';

type Data = { orderId: string };

const step = (name: string, overrides: Partial<SagaStep<Data>> = {}): SagaStep<Data> => ({
  name,
  command: ({ orderId }) => ({ type: 'ReserveStock', body: { orderId } }),
  completedBy: ['StockReserved'],
  timeoutMs: 1000,
  ...overrides,
});

const declaration = (overrides: Partial<Parameters<typeof defineSaga<Data>>[0]> = {}): Parameters<typeof defineSaga<Data>>[0] => ({
  name: 'fulfilment',
  startedBy: 'OrderPlaced',
  sagaId: (event) => `fulfilment-${event.envelope.aggregateId}`,
  data: (event) => ({ orderId: event.envelope.aggregateId }),
  steps: [step('reserve')],
  ...overrides,
});

function orderPlaced(orderId: string, metadata: Record<string, string> = {}): PipelineEvent {
  return {
    envelope: { eventId: 'e-1', eventType: 'OrderPlaced', schemaVersion: 2, aggregateType: 'Order', aggregateId: orderId, aggregateVersion: 1, occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c-1', causationId: null, metadata },
    eventType: 'OrderPlaced',
    schemaVersion: 2,
    payload: { orderId },
    source: { position: 1, key: orderId, record: Buffer.alloc(0) },
  };
}

describe('defineSaga', () => {
  it.each([
    ['a name that is not kebab-case', declaration({ name: 'Fulfilment' }), /name "Fulfilment" must be kebab-case/],
    ['no steps', declaration({ steps: [] }), /steps must hold at least one step/],
    ['a step declared twice', declaration({ steps: [step('reserve'), step('reserve')] }), /steps\[1\]\.name "reserve" is declared twice/],
    ['a timeout that is not a positive integer', declaration({ steps: [step('reserve', { timeoutMs: 0 })] }), /steps\[0\]\.timeoutMs must be a positive integer/],
    ['a step nothing completes', declaration({ steps: [step('reserve', { completedBy: [] })] }), /steps\[0\]\.completedBy must name at least one event type/],
  ])('refuses %s, naming the field', (_name, given, message) => {
    // when / then
    expect(() => defineSaga(given)).toThrow(message);
  });

  it('runs nothing and fails with SAGA_PORTS_MISSING when the pipeline context has no commands or sagas port', async () => {
    // given a context without the saga ports
    const saga = defineSaga(declaration());
    const context = { pipelineName: 'fulfilment', logger: silentLogger } as unknown as PipelineContext;
    // when an event that starts the saga comes
    const run = lastValueFrom(of(orderPlaced('o-1')).pipe(runSaga(saga, context), toArray()));
    // then the pipeline fails with the code, so the runner retries and parks the record rather than losing it
    await expect(run).rejects.toMatchObject({ code: SAGA_PORTS_MISSING });
  });

  it('lets events that do not concern the saga pass by without output, even without its ports', async () => {
    // given a context without the saga ports, and an event of another type
    const saga = defineSaga(declaration({ startsWhen: () => false }));
    const context = { pipelineName: 'fulfilment', logger: silentLogger } as unknown as PipelineContext;
    // when it flows through
    const outcomes = await lastValueFrom(of(orderPlaced('o-1')).pipe(runSaga(saga, context), toArray()));
    // then nothing happened
    expect(outcomes).toEqual([]);
  });
});

describe('sagaStateOf', () => {
  it('skips transitions that come before SagaStarted, so an odd stream still folds', () => {
    // given a stream whose first event is a step's completion
    const state = sagaStateOf([{ type: 'StepCompleted', data: { sagaId: 's', step: 'reserve', eventType: 'StockReserved', eventId: 'e' } }]);
    // then there is no saga
    expect(state).toEqual({ status: 'none', version: 0 });
  });
});
