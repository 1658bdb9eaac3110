import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/DynamoDbIdempotencyStore';
import { DynamoDbSagaDeadlineStore } from '../../adapters/aws/DynamoDbSagaDeadlineStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { IDEMPOTENCY_TABLE } from '../../adapters/aws/tables/idempotencyTable';
import { SAGA_DEADLINES_TABLE } from '../../adapters/aws/tables/sagaDeadlinesTable';
import { CommandService } from '../../core/command/CommandService';
import { silentLogger } from '../../core/logging/Logger';
import { LambdaBatchRunner } from '../../core/pipeline/lambda/LambdaBatchRunner';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import { IdempotentCommandGateway } from '../../core/saga/IdempotentCommandGateway';
import { defineSaga } from '../../core/saga/SagaDefinition';
import type { SagaDefinition } from '../../core/saga/SagaDefinition';
import { SagaJournal } from '../../core/saga/SagaJournal';
import { SagaRuntime } from '../../core/saga/SagaRuntime';
import type { NoSaga, SagaState } from '../../core/saga/SagaState';
import { SagaTimer } from '../../core/saga/SagaTimer';
import type { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { aggregates, fulfilmentIdOf, fulfilmentSaga, orderUpcasters } from '../../domain';
import type { OrderPlacedData } from '../../domain';
import fulfilment from '../../pipelines/fulfilment';
import { describeSagaDeadlineStoreContract } from '../contract/sagaDeadlineStoreContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { dynamoDbStreamEvent, lambdaInvocation } from '../engines/lambdaEvents';
import { eventsTableStreamRecords } from '../engines/streamRecords';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import { RunnerHarness } from '../unit/pipeline/runnerHarness';
import { placeOrderBody, testSagaPipeline } from '../unit/saga/sagaHarness';

jest.setTimeout(120_000);

const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
const streams = new DynamoDBStreamsClient({ ...motoClientConfig(), maxAttempts: 1 });
let codec: AvroEventCodec;

beforeAll(async () => {
  codec = (await createSchemaEnvironment()).codec;
});
afterAll(() => {
  dynamo.destroy();
  streams.destroy();
});

describeSagaDeadlineStoreContract('DynamoDbSagaDeadlineStore (moto)', async () => {
  const tableName = uniqueName('saga-deadlines');
  await createDynamoDbTable(dynamo, tableName, SAGA_DEADLINES_TABLE);
  return { store: new DynamoDbSagaDeadlineStore({ client: dynamo, tableName }), close: async () => undefined };
});

/** The AWS backend of sagas on moto: the events, idempotency and saga deadline tables, and a saga pipeline's Lambda runner. */
interface AwsSagaBackend {
  eventsTable: string;
  eventStore: DynamoDbEventStore;
  commands: CommandService;
  journal: SagaJournal;
  timer: SagaTimer;
  runner: LambdaBatchRunner;
  /** Hands the events table's new stream records to the runner, as Lambda would, until nothing new comes. */
  deliver(): Promise<void>;
  /** Hands every stream record again (a batch Lambda retries whole, or a crash before the checkpoint). */
  redeliverAll(): Promise<void>;
  stateOf(sagaId: string): Promise<SagaState | NoSaga>;
  streamTypes(aggregateId: string): Promise<string[]>;
}

async function awsSagaBackend(pipeline: PipelineDefinition, saga: SagaDefinition): Promise<AwsSagaBackend> {
  const eventsTable = uniqueName('events');
  const idempotencyTable = uniqueName('idempotency');
  const deadlinesTable = uniqueName('saga-deadlines');
  const deadLettersTable = uniqueName('dead-letters');
  await createDynamoDbTable(dynamo, eventsTable, EVENTS_TABLE);
  await createDynamoDbTable(dynamo, idempotencyTable, IDEMPOTENCY_TABLE);
  await createDynamoDbTable(dynamo, deadlinesTable, SAGA_DEADLINES_TABLE);
  await createDynamoDbTable(dynamo, deadLettersTable, DEAD_LETTER_TABLE);
  const eventStore = new DynamoDbEventStore(codec, { client: dynamo, tableName: eventsTable, idempotencyTableName: idempotencyTable });
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const commands = new CommandService({ eventStore, codec, upcasters, aggregates, logger: silentLogger });
  const gateway = new IdempotentCommandGateway(commands, new DynamoDbIdempotencyStore({ client: dynamo, tableName: idempotencyTable }));
  const deadlines = new DynamoDbSagaDeadlineStore({ client: dynamo, tableName: deadlinesTable });
  const journal = new SagaJournal(eventStore, codec);
  const base = new RunnerHarness(codec).context;
  const context = { ...base, pipelineName: pipeline.name, upcasters, commands: gateway, sagas: { eventStore, deadlines } };
  const runner = new LambdaBatchRunner(pipeline, { deadLetters: new DynamoDbDeadLetterStore({ client: dynamo, tableName: deadLettersTable }), context });
  const timer = new SagaTimer(new Map([[saga.name, new SagaRuntime(saga, { journal, deadlines, commands: gateway })]]), deadlines);
  let delivered = 0;
  const send = async (from: number): Promise<number> => {
    const { streamArn, records } = await eventsTableStreamRecords({ dynamo, streams }, eventsTable);
    const batch = records.slice(from);
    if (batch.length > 0) {
      const response = await runner.dynamoDbStream(dynamoDbStreamEvent(streamArn, batch), lambdaInvocation());
      expect(response.batchItemFailures).toEqual([]);
    }
    return records.length;
  };
  return {
    eventsTable,
    eventStore,
    commands,
    journal,
    timer,
    runner,
    deliver: async () => {
      for (let round = 0; round < 12; round += 1) {
        const seen = await send(delivered);
        if (seen === delivered) return;
        delivered = seen;
      }
    },
    redeliverAll: async () => {
      await send(0);
    },
    stateOf: (sagaId) => journal.load(sagaId),
    streamTypes: async (aggregateId) => (await eventStore.readStream(aggregateId, { limit: 100 })).items.map((event) => event.eventType),
  };
}

describe('sagas on AWS: the saga pipeline over the DynamoDB event store (moto)', () => {
  it('completes a fulfilment: its commands decided by the DynamoDB event store, its transitions on the saga stream', async () => {
    // given the fulfilment pipeline's Lambda runner over DynamoDB
    const backend = await awsSagaBackend(fulfilment, fulfilmentSaga as unknown as SagaDefinition);
    // when an order is placed and the table's stream is delivered until nothing new comes
    await backend.commands.handle('PlaceOrder', placeOrderBody('o-1'), { correlationId: 'req-1' });
    await backend.deliver();
    // then the saga completed, with every transition in order, and each command's event stored once
    const state = await backend.stateOf(fulfilmentIdOf('o-1'));
    expect(state).toMatchObject({ status: 'completed', completedSteps: ['reserve-stock', 'take-payment', 'ship'] });
    expect(await backend.streamTypes(fulfilmentIdOf('o-1'))).toEqual(['SagaStarted', 'StepStarted', 'StepCompleted', 'StepStarted', 'StepCompleted', 'StepStarted', 'StepCompleted', 'SagaCompleted']);
    expect(await backend.streamTypes('reservation-o-1')).toEqual(['StockReserved']);
    expect(await backend.streamTypes('shipment-o-1')).toEqual(['ShipmentDispatched']);
  });

  it('releases the stock after a declined payment, and sends no command twice when Lambda delivers the whole stream again', async () => {
    // given a fulfilment whose payment was declined, run to its end
    const backend = await awsSagaBackend(fulfilment, fulfilmentSaga as unknown as SagaDefinition);
    await backend.commands.handle('PlaceOrder', placeOrderBody('o-2', { unitPrice: 4000 }), { correlationId: 'req-2' });
    await backend.deliver();
    const trail = await backend.streamTypes(fulfilmentIdOf('o-2'));
    // when every record is delivered again (a retried batch, a restarted consumer)
    await backend.redeliverAll();
    await backend.deliver();
    // then the stock was released once, the payment declined once, and the trail is unchanged
    expect(await backend.stateOf(fulfilmentIdOf('o-2'))).toMatchObject({ status: 'aborted', compensatedSteps: ['reserve-stock'], failure: { step: 'take-payment', reason: 'event' } });
    expect(await backend.streamTypes('reservation-o-2')).toEqual(['StockReserved', 'StockReleased']);
    expect(await backend.streamTypes('payment-o-2')).toEqual(['PaymentDeclined']);
    expect(await backend.streamTypes(fulfilmentIdOf('o-2'))).toEqual(trail);
    expect(trail.slice(-4)).toEqual(['StepFailed', 'StepStarted', 'StepCompensated', 'SagaAborted']);
  });

  it('times a step out from the DynamoDB deadline table and compensates it', async () => {
    // given a saga whose reservation completes only on an event that never comes, past its deadline
    const slow = defineSaga<{ orderId: string }>({
      name: 'slow-reservation',
      startedBy: 'OrderPlaced',
      sagaId: (event) => `slow-${event.envelope.aggregateId}`,
      data: (event) => ({ orderId: (event.payload as OrderPlacedData).orderId }),
      steps: [
        {
          name: 'reserve',
          command: ({ orderId }) => ({ type: 'ReserveStock', body: { reservationId: `reservation-${orderId}`, orderId, items: [{ sku: 'sku-a', quantity: 1 }] } }),
          completedBy: ['ShipmentDispatched'],
          timeoutMs: 1,
          compensation: ({ orderId }) => ({ type: 'ReleaseStock', body: { reservationId: `reservation-${orderId}` } }),
        },
      ],
    }) as unknown as SagaDefinition;
    const backend = await awsSagaBackend(testSagaPipeline(slow), slow);
    await backend.commands.handle('PlaceOrder', placeOrderBody('o-3'), { correlationId: 'req-3' });
    await backend.deliver();
    const waiting = await backend.stateOf('slow-o-3');
    expect(waiting).toMatchObject({ status: 'running', inFlight: { step: 'reserve' } });
    while (new Date().toISOString() <= (waiting.status === 'none' ? '' : (waiting.inFlight?.deadline ?? ''))) await new Promise((resolve) => setTimeout(resolve, 5));
    // when the scheduled sweep runs
    const outcomes = await backend.timer.sweep();
    // then the step failed by timeout, its reservation was released, the saga aborted, and no deadline is left
    expect(outcomes).toEqual([{ sagaId: 'slow-o-3', handled: true, status: 'aborted' }]);
    expect(await backend.stateOf('slow-o-3')).toMatchObject({ status: 'aborted', compensatedSteps: ['reserve'], failure: { step: 'reserve', reason: 'timeout' } });
    expect(await backend.streamTypes('reservation-o-3')).toEqual(['StockReserved', 'StockReleased']);
    expect(await backend.timer.sweep()).toEqual([]);
  });
});
