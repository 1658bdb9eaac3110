import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { eventStreamImage } from '../../adapters/aws/dynamoDbEventItems';
import { DynamoDbLeaseStore } from '../../adapters/aws/DynamoDbLeaseStore';
import { DynamoDbStreamsShardReader, dynamoDbStreamsShardLister } from '../../adapters/aws/DynamoDbStreamsShardReader';
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { ShardLeaseCoordinator } from '../../core/leases/ShardLeaseCoordinator';
import { ShardPollingRunner } from '../../core/pipeline/polling/ShardPollingRunner';
import { orderContext, orderItemAdded, orderPlaced } from '../contract/eventFixtures';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { summaryPipeline, until } from '../unit/pipeline/runnerHarness';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';

// The change feed on AWS: events appended by the real DynamoDB event store, read from the table's
// real stream by the polling runner (as the router runs outside Lambda).
describe('ShardPollingRunner on the events table stream (moto)', () => {
  const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  const streams = new DynamoDBStreamsClient({ ...motoClientConfig(), maxAttempts: 1 });
  let harness: LambdaRunnerHarness;
  let runner: ShardPollingRunner | undefined;

  beforeEach(async () => {
    harness = await LambdaRunnerHarness.create();
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await harness.close();
  });
  afterAll(() => {
    dynamo.destroy();
    streams.destroy();
  });

  async function eventsTableWithRunner(): Promise<DynamoDbEventStore> {
    const tableName = uniqueName('events');
    const leasesTable = uniqueName('leases');
    await createDynamoDbTable(dynamo, tableName, EVENTS_TABLE);
    await createDynamoDbTable(dynamo, leasesTable, LEASES_TABLE);
    const streamArn = (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn as string;
    const definition = summaryPipeline(harness.seen);
    const coordinator = new ShardLeaseCoordinator(new DynamoDbLeaseStore({ client: dynamo, tableName: leasesTable, group: 'order-summary@events' }), dynamoDbStreamsShardLister({ client: streams, streamArn }), { workerId: 'w1' });
    runner = new ShardPollingRunner(
      definition,
      {
        coordinator,
        reader: new DynamoDbStreamsShardReader({ client: streams, streamArn, readImage: eventStreamImage, closedCheckIntervalMs: 0 }),
        deadLetters: harness.stores.deadLetters,
        context: { ...harness.stores.context, pipelineName: definition.name },
        sourceName: `dynamodb stream ${tableName}`,
      },
      { idlePollMs: 20, retryPauseMs: 20, leaseTickMs: 50 },
    );
    runner.start();
    return new DynamoDbEventStore(harness.codec, { client: dynamo, tableName });
  }

  it('applies what the event store appended, in order per aggregate, across appends of several events', async () => {
    // given
    const store = await eventsTableWithRunner();
    // when two orders are placed and one gets two more items in one append
    await store.append('order-1', 0, [orderPlaced('order-1')], orderContext());
    await store.append('order-2', 0, [orderPlaced('order-2')], orderContext());
    await store.append('order-1', 1, [orderItemAdded('order-1', 'a'), orderItemAdded('order-1', 'b')], orderContext());
    // then
    await until(() => harness.applied()['order-1']?.length === 3 && harness.applied()['order-2']?.length === 1);
    expect(harness.applied()).toEqual({ 'order-1': [1, 2, 3], 'order-2': [1] });
  });

  it('parks a poison aggregate with its later events behind it while the others go on', async () => {
    // given
    harness.seen.broken.add('order-bad');
    const store = await eventsTableWithRunner();
    // when
    await store.append('order-bad', 0, [orderPlaced('order-bad')], orderContext());
    await store.append('order-ok', 0, [orderPlaced('order-ok')], orderContext());
    await store.append('order-bad', 1, [orderItemAdded('order-bad')], orderContext());
    // then
    await until(async () => (await harness.parked()).length === 2);
    await until(() => harness.applied()['order-ok']?.length === 1);
    const parked = await harness.parked();
    expect(parked.map((entry) => entry.key)).toEqual(['order-bad', 'order-bad']);
    expect(parked[1]?.parkedBehindId).toBe(parked[0]?.id);
    expect(harness.applied()['order-bad']).toBeUndefined();
  });
});
