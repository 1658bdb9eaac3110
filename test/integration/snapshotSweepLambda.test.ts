import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbSnapshotStore } from '../../adapters/aws/DynamoDbSnapshotStore';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { CommandService } from '../../core/command/CommandService';
import type { SnapshotSweepReport } from '../../core/snapshot/SnapshotSweep';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { aggregates, orderUpcasters } from '../../domain';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { motoClientConfig } from '../engines/awsTestClients';
import { openEngineStage } from '../engines/engineStage';
import type { EngineStage } from '../engines/engineStage';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'eu-central-1';
type SweepHandler = (event: Partial<ScheduledEvent>, context: Context) => Promise<SnapshotSweepReport>;

/** An EventBridge scheduled event as Lambda receives it, fired at `time`. */
function scheduledEvent(time: Date): ScheduledEvent {
  return {
    version: '0',
    id: 'a1b2c3d4-0000-4000-8000-000000000000',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.toISOString(),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:123456789012:rule/nexus-test-snapshot-sweep`],
    detail: {},
  };
}

describe('the snapshotSweep function, invoked in-process with a scheduled event against moto', () => {
  const aws = { ...motoClientConfig(), region: REGION, maxAttempts: 1 };
  const dynamo = new DynamoDBClient(aws);
  let engine: EngineStage | undefined;
  let names: AwsResourceNames;
  let commands: CommandService;

  beforeAll(async () => {
    engine = await openEngineStage({ prefix: 'sweep', region: REGION, serviceName: 'nexus-sweep-test' });
    const { codec } = engine;
    names = engine.names;
    // Commands of a process without snapshots: whatever its triggers asked for was lost.
    commands = new CommandService({ eventStore: new DynamoDbEventStore(codec, { client: dynamo, tableName: names.eventsTable }), codec, upcasters: new UpcasterRegistry(orderUpcasters), aggregates });
  });

  afterAll(async () => {
    await engine?.tearDown();
    dynamo.destroy();
  });

  it('snapshots, a day later, the orders that changed without a snapshot, reading the TimestampIndex and writing the snapshots table', async () => {
    // given two orders changed now and never snapshotted
    const first = await commands.handle('PlaceOrder', { customerId: 'c-1', items: [{ sku: 'A', quantity: 1, unitPrice: 2 }] }, { correlationId: 'p1' });
    await commands.handle('AddItem', { orderId: first.aggregateId, sku: 'B', quantity: 3, unitPrice: 1 }, { correlationId: 'a1' });
    const second = await commands.handle('PlaceOrder', { customerId: 'c-2', items: [] }, { correlationId: 'p2' });
    let handler: SweepHandler | undefined;
    jest.isolateModules(() => {
      // A fresh module registry is a fresh container; only require() loads into it synchronously.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../handlers/aws/lambda/snapshotSweep') as { handler: SweepHandler }).handler;
    });
    const context = { functionName: 'snapshotSweep', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    // when EventBridge fires the schedule within the day, then 25 hours later
    const early = await (handler as SweepHandler)(scheduledEvent(new Date(Date.now() + 3_600_000)), context);
    const late = await (handler as SweepHandler)(scheduledEvent(new Date(Date.now() + 25 * 3_600_000)), context);
    // then only the later sweep snapshotted both orders, at their last versions
    expect(early).toMatchObject({ examined: 0, snapshotted: 0 });
    expect(late).toMatchObject({ examined: 2, snapshotted: 2, failed: 0 });
    const store = new DynamoDbSnapshotStore({ client: dynamo, tableName: names.snapshotsTable });
    expect(await store.latest(first.aggregateId, '1', new Date())).toMatchObject({ version: 2, aggregateType: 'Order' });
    expect(await store.latest(second.aggregateId, '1', new Date())).toMatchObject({ version: 1 });
  });
});
