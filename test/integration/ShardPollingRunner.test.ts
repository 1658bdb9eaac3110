import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DynamoDbLeaseStore } from '../../adapters/aws/DynamoDbLeaseStore';
import { KinesisShardReader } from '../../adapters/aws/KinesisShardReader';
import { kinesisShardLister } from '../../adapters/aws/kinesisShardLister';
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { ShardLeaseCoordinator } from '../../core/leases/ShardLeaseCoordinator';
import { ShardPollingRunner } from '../../core/pipeline/polling/ShardPollingRunner';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { summaryPipeline, until } from '../unit/pipeline/runnerHarness';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';
import type { OrderEvent } from './LambdaBatchRunnerHarness';

const FAST = { idlePollMs: 20, retryPauseMs: 20, leaseTickMs: 50 };
const LEASE_MS = 400;

describe('ShardPollingRunner on Kinesis (moto) with leases in DynamoDB', () => {
  const kinesis = new KinesisClient({ ...motoClientConfig(), maxAttempts: 1 });
  const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  let leasesTable: string;
  let harness: LambdaRunnerHarness;
  const runners: ShardPollingRunner[] = [];

  beforeAll(async () => {
    leasesTable = uniqueName('leases');
    await createDynamoDbTable(dynamo, leasesTable, LEASES_TABLE);
  });
  beforeEach(async () => {
    harness = await LambdaRunnerHarness.create();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await harness.close();
  });
  afterAll(() => {
    kinesis.destroy();
    dynamo.destroy();
  });

  async function createStream(shards: number): Promise<string> {
    const name = uniqueName('core');
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    return name;
  }

  async function put(stream: string, events: readonly OrderEvent[]): Promise<void> {
    await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: events.map((event) => ({ PartitionKey: event.key, Data: event.record })) }));
  }

  function worker(stream: string, group: string, workerId: string): ShardPollingRunner {
    const coordinator = new ShardLeaseCoordinator(new DynamoDbLeaseStore({ client: dynamo, tableName: leasesTable, group }), kinesisShardLister(kinesis, stream), { workerId, leaseDurationMs: LEASE_MS });
    const definition = summaryPipeline(harness.seen);
    const runner = new ShardPollingRunner(definition, {
      coordinator,
      reader: new KinesisShardReader({ client: kinesis, streamName: stream, closedCheckIntervalMs: 0 }),
      deadLetters: harness.stores.deadLetters,
      context: { ...harness.stores.context, pipelineName: definition.name },
      sourceName: `kinesis ${stream}`,
    }, FAST);
    runners.push(runner);
    return runner;
  }

  const keys = ['order-a', 'order-b', 'order-c', 'order-d', 'order-e', 'order-f'];
  const versionsUpTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('processes every record of every shard once, in order per key, and checkpoints', async () => {
    // given two shards with three events for each of six orders
    const stream = await createStream(2);
    for (let round = 0; round < 3; round += 1) await put(stream, await harness.events(...keys));
    const group = uniqueName('group');
    const runner = worker(stream, group, 'w1');
    // when
    runner.start();
    await until(() => Object.keys(harness.applied()).length === keys.length && Object.values(harness.applied()).every((versions) => versions.length === 3));
    await runner.whenCaughtUp();
    // then
    expect(harness.applied()).toEqual(Object.fromEntries(keys.map((key) => [key, versionsUpTo(3)])));
    expect(runner.shards).toHaveLength(2);
    expect(runner.metrics()).toMatchObject({ recordsIn: 18, recordsParked: 0 });
    const leases = await new DynamoDbLeaseStore({ client: dynamo, tableName: leasesTable, group }).list();
    expect(leases.map((lease) => lease.checkpoint).every((checkpoint) => /^\d+$/.test(checkpoint))).toBe(true);
  });

  it('shares the shards between two workers, and the survivor takes over the shards of one killed mid-run', async () => {
    // given two workers on a stream of four shards, with events for six orders
    const stream = await createStream(4);
    const group = uniqueName('group');
    await put(stream, await harness.events(...keys));
    const first = worker(stream, group, 'w1');
    const second = worker(stream, group, 'w2');
    first.start();
    second.start();
    await until(() => first.shards.length === 2 && second.shards.length === 2);
    await until(() => keys.every((key) => harness.applied()[key]?.length === 1));
    // when the first worker dies without releasing its leases, and more events arrive
    await first.stop({ releaseLeases: false });
    await put(stream, await harness.events(...keys));
    await put(stream, await harness.events(...keys));
    // then the second worker takes over all four shards once the leases expire, and every event is applied in order
    await until(() => second.shards.length === 4);
    await until(() => keys.every((key) => harness.applied()[key]?.length === 3));
    expect(harness.applied()).toEqual(Object.fromEntries(keys.map((key) => [key, versionsUpTo(3)])));
  });

  it('parks a poison record and the rest of its key, and lets other keys go on', async () => {
    // given
    harness.seen.broken.add('order-poison');
    const stream = await createStream(1);
    await put(stream, await harness.events('order-poison', 'order-a', 'order-poison', 'order-a'));
    const runner = worker(stream, uniqueName('group'), 'w1');
    // when
    runner.start();
    await until(async () => (await harness.parked()).length === 2);
    await runner.whenCaughtUp();
    // then
    expect(harness.applied()).toEqual({ 'order-a': [1, 2] });
    const parked = await harness.parked();
    expect(parked.map((entry) => entry.key)).toEqual(['order-poison', 'order-poison']);
    expect(parked[0]?.errorMessage).toContain(`kinesis ${stream}`);
    expect(parked[1]?.parkedBehindId).toBe(parked[0]?.id);
  });

  it('reads again from its checkpoint when the dead-letter store was down, skipping nothing', async () => {
    // given a poison record that cannot be parked while the dead-letter store refuses writes
    harness.seen.broken.add('order-poison');
    harness.refuseParks();
    const stream = await createStream(1);
    await put(stream, await harness.events('order-a', 'order-poison', 'order-b', 'order-a'));
    const runner = worker(stream, uniqueName('group'), 'w1');
    runner.start();
    await until(() => runner.metrics().sourceFailures > 0);
    // when the store comes back
    harness.acceptParks();
    // then the poison record is parked, and the records after it in the shard were applied (again, harmlessly)
    await until(async () => (await harness.parked()).length === 1);
    await until(() => harness.applied()['order-b']?.length === 1 && harness.applied()['order-a']?.length === 2);
    expect(harness.applied()).toEqual({ 'order-a': [1, 2], 'order-b': [1] });
  });
});
