import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Client } from '@opensearch-project/opensearch';
import { DynamoDbLeaseStore } from '../../adapters/aws/DynamoDbLeaseStore';
import { KinesisShardReader } from '../../adapters/aws/KinesisShardReader';
import { kinesisShardLister } from '../../adapters/aws/kinesisShardLister';
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { ShardLeaseCoordinator } from '../../core/leases/ShardLeaseCoordinator';
import { ShardPollingRunner } from '../../core/pipeline/polling/ShardPollingRunner';
import { ORDER_LIST_COLLECTION } from '../../domain';
import orderList from '../../pipelines/order-list';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startOpenSearchNode } from '../engines/openSearchNode';
import type { OpenSearchNode } from '../engines/openSearchNode';
import { until } from '../unit/pipeline/runnerHarness';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';
import type { OrderEvent } from './LambdaBatchRunnerHarness';

// The failure path "OpenSearch stopped mid-run": the order-list projection, run by the polling
// runner from a Kinesis stream into OpenSearch, waits while its node is down (nothing parked)
// and catches up fully once the node is back. A node of its own: the shared one serves others.
describe('order-list into OpenSearch while the node goes down and comes back', () => {
  const kinesis = new KinesisClient({ ...motoClientConfig(), maxAttempts: 1 });
  const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  let node: OpenSearchNode | undefined;
  let dataPath: string;
  let client: Client;
  let harness: LambdaRunnerHarness;
  let runner: ShardPollingRunner | undefined;

  beforeAll(async () => {
    dataPath = mkdtempSync(join(tmpdir(), 'nexus-opensearch-outage-'));
    node = await startOpenSearchNode({ dataPath });
    client = new Client({ node: node.endpoint, maxRetries: 0, requestTimeout: 5_000 });
    harness = await LambdaRunnerHarness.create();
  }, 240_000);

  afterAll(async () => {
    await runner?.stop();
    await client?.close();
    await node?.stop();
    await harness?.close();
    rmSync(dataPath, { recursive: true, force: true });
    kinesis.destroy();
    dynamo.destroy();
  }, 60_000);

  it('leaves the records unfinished while the node is down, parks nothing, and applies everything once it is back', async () => {
    // given the projection running, with three orders placed and projected
    const stream = uniqueName('core');
    const leases = uniqueName('leases');
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    await createDynamoDbTable(dynamo, leases, LEASES_TABLE);
    const readModels = new OpenSearchReadModelStore({ client, indexPrefix: `${uniqueName('outage')}-`, numberOfReplicas: 0, retry: { maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 20 } });
    const definition = { ...orderList, options: { ...orderList.options, maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 20 } };
    runner = new ShardPollingRunner(
      definition,
      {
        coordinator: new ShardLeaseCoordinator(new DynamoDbLeaseStore({ client: dynamo, tableName: leases, group: 'order-list@core' }), kinesisShardLister(kinesis, stream), { workerId: 'w1' }),
        reader: new KinesisShardReader({ client: kinesis, streamName: stream }),
        deadLetters: harness.stores.deadLetters,
        context: { ...harness.stores.context, readModels, pipelineName: definition.name },
        sourceName: `kinesis ${stream}`,
      },
      { idlePollMs: 20, retryPauseMs: 100, leaseTickMs: 100 },
    );
    const orders = readModels.collection(ORDER_LIST_COLLECTION);
    const put = async (events: readonly OrderEvent[]) => {
      await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: events.map((event) => ({ PartitionKey: event.key, Data: event.record })) }));
    };
    const versionOf = async (id: string) => (await orders.get(id).catch(() => undefined))?.version;
    runner.start();
    await put(await harness.events('order-a', 'order-b', 'order-c'));
    await until(async () => (await versionOf('order-c')) === 1);

    // when the node dies and more events arrive
    const { port } = node as OpenSearchNode;
    await (node as OpenSearchNode).kill();
    await put(await harness.events('order-a', 'order-b', 'order-d', 'order-a'));
    await until(() => runner?.metrics().sourceFailures !== undefined && (runner?.metrics().sourceFailures ?? 0) > 0, 60_000);
    // and the node comes back on the same data and port
    node = await startOpenSearchNode({ dataPath, port });

    // then every event is projected, in order, and nothing was parked
    await until(async () => (await versionOf('order-a')) === 3 && (await versionOf('order-d')) === 1, 120_000);
    expect(await versionOf('order-b')).toBe(2);
    expect(await versionOf('order-c')).toBe(1);
    expect(await harness.stores.deadLetters.list({ pipelineName: definition.name, status: 'all', limit: 10 })).toEqual([]);
  }, 300_000);
});
