import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSnapshotStore } from '../../adapters/aws/DynamoDbSnapshotStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { SNAPSHOTS_TABLE } from '../../adapters/aws/tables/snapshotsTable';
import { SNAPSHOT_ERRORS } from '../../core/snapshot/SnapshotErrors';
import { describeSnapshotStoreContract, snapshotFixture } from '../contract/snapshotStoreContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
afterAll(() => client.destroy());

async function newTable(): Promise<string> {
  const tableName = uniqueName('snapshots');
  await createDynamoDbTable(client, tableName, SNAPSHOTS_TABLE);
  return tableName;
}

describeSnapshotStoreContract('DynamoDbSnapshotStore (moto)', async () => {
  const tableName = await newTable();
  return { store: new DynamoDbSnapshotStore({ client, tableName }), close: async () => undefined };
});

describe('DynamoDbSnapshotStore', () => {
  it('writes expiresAt as epoch seconds, the attribute the table expires items by', async () => {
    // given a table made from SNAPSHOTS_TABLE
    const tableName = await newTable();
    const store = new DynamoDbSnapshotStore({ client, tableName });
    // when a snapshot expiring at 2030-01-31T00:00:00Z is stored
    await store.put(snapshotFixture('o-ttl', 2));
    // then the item holds the time as epoch seconds, and TTL is on for that attribute
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { aggregateId: { S: 'o-ttl' } } }))).Item;
    expect(item?.expiresAt).toEqual({ N: String(Date.parse('2030-01-31T00:00:00.000Z') / 1000) });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('refuses a state larger than an item holds with SNAPSHOT_TOO_LARGE', async () => {
    // given a state of about 500 KB
    const tableName = await newTable();
    const store = new DynamoDbSnapshotStore({ client, tableName });
    const stateJson = JSON.stringify({ blob: 'x'.repeat(500_000) });
    // when storing it
    const failure = await store.put(snapshotFixture('o-big', 1, { stateJson })).catch((error: unknown) => error);
    // then the store's error names the aggregate and the size
    expect(failure).toMatchObject({ code: SNAPSHOT_ERRORS.TOO_LARGE, details: { aggregateId: 'o-big', bytes: Buffer.byteLength(stateJson) } });
  });

  it('rejects with SNAPSHOT_STORE_UNAVAILABLE when the table does not exist', async () => {
    // given a store on a table that was never created
    const store = new DynamoDbSnapshotStore({ client, tableName: uniqueName('missing') });
    // when reading
    const failure = await store.latest('o-1', '1', new Date()).catch((error: unknown) => error);
    // then the port's error names the operation
    expect(failure).toMatchObject({ code: SNAPSHOT_ERRORS.STORE_UNAVAILABLE, details: { operation: 'latest', aggregateId: 'o-1' } });
  });
});
