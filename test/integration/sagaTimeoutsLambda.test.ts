import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { DynamoDbSagaDeadlineStore } from '../../adapters/aws/DynamoDbSagaDeadlineStore';
import { CommandService } from '../../core/command/CommandService';
import { SagaJournal } from '../../core/saga/SagaJournal';
import type { SagaOutcome } from '../../core/saga/SagaRuntime';
import { commandIdOf } from '../../core/saga/sagaTransitions';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { aggregates, fulfilmentIdOf, orderUpcasters } from '../../domain';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { motoClientConfig } from '../engines/awsTestClients';
import { openEngineStage } from '../engines/engineStage';
import type { EngineStage } from '../engines/engineStage';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'ap-southeast-2';
type TimeoutsHandler = (event: Partial<ScheduledEvent>, context: Context) => Promise<{ outcomes: SagaOutcome[] }>;

describe('the sagaTimeouts function, invoked in-process with a scheduled event against moto', () => {
  const aws = { ...motoClientConfig(), region: REGION, maxAttempts: 1 };
  const dynamo = new DynamoDBClient(aws);
  let engine: EngineStage | undefined;
  let names: AwsResourceNames;
  let journal: SagaJournal;
  let eventStore: DynamoDbEventStore;
  let commands: CommandService;

  beforeAll(async () => {
    engine = await openEngineStage({ prefix: 'sagas', region: REGION, serviceName: 'nexus-saga-timeouts-test' });
    const { codec } = engine;
    names = engine.names;
    eventStore = new DynamoDbEventStore(codec, { client: dynamo, tableName: names.eventsTable });
    journal = new SagaJournal(eventStore, codec);
    commands = new CommandService({ eventStore, codec, upcasters: new UpcasterRegistry(orderUpcasters), aggregates });
  });

  afterAll(async () => {
    await engine?.tearDown();
    dynamo.destroy();
  });

  it("fails a fulfilment step past its deadline from the stage's deadline table and releases what it reserved", async () => {
    // given a fulfilment whose reservation was made but whose outcome the saga never recorded, its deadline passed
    const sagaId = fulfilmentIdOf('o-late');
    const data = { orderId: 'o-late', customerId: 'alice', items: [{ sku: 'sku-a', quantity: 1 }], amount: 10, currency: 'EUR' };
    const dueAt = new Date(Date.now() - 1000).toISOString();
    await journal.append(
      sagaId,
      0,
      [
        { type: 'SagaStarted', data: { sagaId, sagaType: 'fulfilment', ownerId: 'alice', data: JSON.stringify(data), startedBy: 'e-1' } },
        { type: 'StepStarted', data: { sagaId, step: 'reserve-stock', kind: 'action', commandType: 'ReserveStock', commandId: commandIdOf(sagaId, 'reserve-stock', 'action'), deadline: dueAt } },
      ],
      { correlationId: 'req-late' },
    );
    await commands.handle('ReserveStock', { reservationId: 'reservation-o-late', orderId: 'o-late', items: data.items }, { correlationId: 'req-late' });
    await new DynamoDbSagaDeadlineStore({ client: dynamo, tableName: names.sagaDeadlinesTable }).schedule({ sagaType: 'fulfilment', sagaId, step: 'reserve-stock', dueAt });
    let handler: TimeoutsHandler | undefined;
    jest.isolateModules(() => {
      // A fresh module registry is a fresh container; only require() loads into it synchronously.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../handlers/aws/lambda/sagaTimeouts') as { handler: TimeoutsHandler }).handler;
    });
    const context = { functionName: 'sagaTimeouts', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    // when EventBridge fires the minute's schedule, twice
    const first = await (handler as TimeoutsHandler)({ time: new Date().toISOString() }, context);
    const second = await (handler as TimeoutsHandler)({ time: new Date().toISOString() }, context);
    // then the first run timed the step out and compensated it; the second found nothing due
    expect(first.outcomes).toEqual([{ sagaId, handled: true, status: 'aborted' }]);
    expect(second.outcomes).toEqual([]);
    expect(await journal.load(sagaId)).toMatchObject({ status: 'aborted', compensatedSteps: ['reserve-stock'], failure: { step: 'reserve-stock', reason: 'timeout' } });
    expect((await eventStore.readStream('reservation-o-late')).items.map((event) => event.eventType)).toEqual(['StockReserved', 'StockReleased']);
  });
});
