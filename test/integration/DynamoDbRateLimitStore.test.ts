import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbRateLimitStore } from '../../adapters/aws/DynamoDbRateLimitStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { RATE_LIMIT_TABLE } from '../../adapters/aws/tables/rateLimitTable';
import { RATE_LIMIT_STORE_ERRORS } from '../../core/auth/RateLimitStore';
import { describeRateLimitStoreContract } from '../contract/rateLimitStoreContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startDynamoDbThrottlingEndpoint } from '../engines/dynamoDbThrottlingEndpoint';

const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
afterAll(() => client.destroy());

async function newTable(): Promise<string> {
  const tableName = uniqueName('rate-limits');
  await createDynamoDbTable(client, tableName, RATE_LIMIT_TABLE);
  return tableName;
}

describeRateLimitStoreContract('DynamoDbRateLimitStore (moto)', async () => {
  const tableName = await newTable();
  return { store: new DynamoDbRateLimitStore({ client, tableName }), close: async () => undefined };
});

describe('DynamoDbRateLimitStore', () => {
  it('lets DynamoDB TTL remove a key an hour after its window ends', async () => {
    // given a table with TTL and a store with the default margin
    const tableName = await newTable();
    const store = new DynamoDbRateLimitStore({ client, tableName });
    // when a key is hit in the minute starting 10:00
    await store.hit('temporal:alice', 60, new Date('2026-03-01T10:00:10Z'));
    // then its item expires at 11:01, on the table's TTL attribute
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { rateKey: { S: 'temporal:alice' } }, ConsistentRead: true }))).Item;
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(item?.expiresAt?.N).toBe(String(Date.parse('2026-03-01T11:01:00Z') / 1000));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('retries throttling, then rejects with RATE_LIMIT_STORE_UNAVAILABLE keeping the cause', async () => {
    // given a store whose every call is throttled
    const throttled = await startDynamoDbThrottlingEndpoint();
    const throttledClient = new DynamoDBClient({ ...motoClientConfig(), endpoint: throttled.endpoint, maxAttempts: 1 });
    const store = new DynamoDbRateLimitStore({ client: throttledClient, tableName: 'any', retry: { initialBackoffMs: 1 } });
    // when counting a hit
    const failure = await store.hit('temporal:alice', 60, new Date()).catch((error: unknown) => error);
    throttledClient.destroy();
    await throttled.close();
    // then five attempts were made, then the port's error
    expect(throttled.received).toHaveLength(5);
    expect(failure).toMatchObject({ code: RATE_LIMIT_STORE_ERRORS.STORE_UNAVAILABLE, details: { key: 'temporal:alice' } });
    expect((failure as Error).cause).toMatchObject({ code: 'AWS_RETRIES_EXHAUSTED' });
  });
});
