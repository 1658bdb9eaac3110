import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckpointStore } from '../../adapters/aws/DynamoDbCheckpointStore';
import { CHECKPOINT_TABLE } from '../../adapters/aws/tables/checkpointTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { CHECKPOINT_ERRORS } from '../../core/checkpoint/CheckpointStore';
import { describeCheckpointStoreContract } from '../contract/checkpointStoreContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startDynamoDbThrottlingEndpoint } from '../engines/dynamoDbThrottlingEndpoint';

const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
afterAll(() => client.destroy());

async function newTable(): Promise<string> {
  const tableName = uniqueName('checkpoints');
  await createDynamoDbTable(client, tableName, CHECKPOINT_TABLE);
  return tableName;
}

describeCheckpointStoreContract('DynamoDbCheckpointStore (moto)', async () => {
  const tableName = await newTable();
  return { store: new DynamoDbCheckpointStore({ client, tableName }), close: async () => undefined };
});

describe('DynamoDbCheckpointStore', () => {
  it('stamps a checkpoint with the clock, and keeps the stamp of the last forward move', async () => {
    // given a store on a fixed clock
    const tableName = await newTable();
    let now = new Date('2030-01-01T00:00:00Z');
    const store = new DynamoDbCheckpointStore({ client, tableName, clock: () => now });
    // when a checkpoint moves forward, then a slower worker tries to move it back later
    await store.set('order-list', 10);
    now = new Date('2030-01-01T00:01:00Z');
    await store.set('order-list', 4);
    // then the item holds the forward move
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { pipelineName: { S: 'order-list' } }, ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ position: { N: '10' }, updatedAt: { S: '2030-01-01T00:00:00.000Z' } });
  });

  it('retries throttling, then rejects with CHECKPOINT_STORE_UNAVAILABLE keeping the cause', async () => {
    // given a store whose every call is throttled
    const throttled = await startDynamoDbThrottlingEndpoint();
    const throttledClient = new DynamoDBClient({ ...motoClientConfig(), endpoint: throttled.endpoint, maxAttempts: 1 });
    const store = new DynamoDbCheckpointStore({ client: throttledClient, tableName: 'any', retry: { initialBackoffMs: 1 } });
    // when setting and reading a checkpoint
    const failures = await Promise.all([store.set('order-list', 3).catch((error: unknown) => error), store.get('order-list').catch((error: unknown) => error)]);
    throttledClient.destroy();
    await throttled.close();
    // then each call was tried five times, then failed with the port's error
    expect(throttled.received).toHaveLength(10);
    expect(failures).toMatchObject([
      { code: CHECKPOINT_ERRORS.STORE_UNAVAILABLE, details: { operation: 'set', pipelineName: 'order-list' }, cause: { code: 'AWS_RETRIES_EXHAUSTED' } },
      { code: CHECKPOINT_ERRORS.STORE_UNAVAILABLE, details: { operation: 'get', pipelineName: 'order-list' }, cause: { code: 'AWS_RETRIES_EXHAUSTED' } },
    ]);
  });
});
