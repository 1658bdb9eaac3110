import { randomBytes } from 'node:crypto';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import { DEAD_LETTER_ERRORS } from '../../core/deadletter/DeadLetterStore';
import type { NewDeadLetter } from '../../core/deadletter/DeadLetterStore';
import { describeDeadLetterStoreContract } from '../contract/deadLetterStoreContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startDynamoDbThrottlingEndpoint } from '../engines/dynamoDbThrottlingEndpoint';

const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
// moto counts a Binary attribute at its base64 length (4/3 of its bytes) against its 405,000-byte
// item limit; AWS counts the bytes. Items of 300,000 bytes fit both.
const MOTO_MAX_ITEM_BYTES = 300_000;
afterAll(() => client.destroy());

async function newTable(): Promise<string> {
  const tableName = uniqueName('dead-letters');
  await createDynamoDbTable(client, tableName, DEAD_LETTER_TABLE);
  return tableName;
}

describeDeadLetterStoreContract('DynamoDbDeadLetterStore (moto)', async () => {
  const tableName = await newTable();
  return { store: new DynamoDbDeadLetterStore({ client, tableName, maxItemBytes: MOTO_MAX_ITEM_BYTES }), close: async () => undefined };
});

describe('DynamoDbDeadLetterStore', () => {
  let tableName: string;
  let store: DynamoDbDeadLetterStore;

  beforeEach(async () => {
    tableName = await newTable();
    store = new DynamoDbDeadLetterStore({ client, tableName, clock: () => new Date('2030-01-01T00:00:00Z'), maxItemBytes: MOTO_MAX_ITEM_BYTES });
  });

  it('parks a 1 MiB record in parts under the item limit and reads it back byte for byte', async () => {
    // given a record as large as Kinesis allows
    const record = randomBytes(1024 * 1024);
    // when parking it
    const parked = await store.park(entry({ record }));
    // then every item of the entry is under DynamoDB's limit, and each read returns the whole record
    const items = (await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `entry#${parked.id}` } } }))).Items ?? [];
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const item of items) expect(item.bytes?.B?.length ?? 0).toBeLessThan(MOTO_MAX_ITEM_BYTES);
    expect((await store.get(parked.id)).record.equals(record)).toBe(true);
    expect((await store.oldestParked('order-list', 'order-1'))?.record.equals(record)).toBe(true);
    expect((await store.list({ pipelineName: 'order-list' }))[0]?.record.equals(record)).toBe(true);
  });

  it('refuses a record beyond one transaction with DEAD_LETTER_TOO_LARGE and writes nothing', async () => {
    // given a record of 5 MiB (a transaction holds at most 4 MB)
    const record = Buffer.alloc(5 * 1024 * 1024);
    // when parking it
    const failure = store.park(entry({ record }));
    // then it is refused by name, and the key is not parked
    await expect(failure).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.TOO_LARGE, details: { pipelineName: 'order-list', key: 'order-1' } });
    await expect(store.isKeyParked('order-list', 'order-1')).resolves.toBe(false);
    await expect(store.list({ status: 'all' })).resolves.toEqual([]);
  });

  it('refuses an error message that leaves no room in the entry with DEAD_LETTER_TOO_LARGE', async () => {
    // given an error message of 500 KB
    const errorMessage = 'x'.repeat(500_000);
    // when / then
    await expect(store.park(entry({ errorMessage }))).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.TOO_LARGE });
  });

  it('keeps apart pipeline and key names that would read alike joined with a separator', async () => {
    // given a record parked for pipeline "a#b", key "c"
    await store.park(entry({ pipelineName: 'a#b', key: 'c' }));
    // when asking about pipeline "a", key "b#c"
    const parked = await store.isKeyParked('a', 'b#c');
    // then it is not parked
    expect(parked).toBe(false);
    await expect(store.isKeyParked('a#b', 'c')).resolves.toBe(true);
  });

  it('pages through resolved entries until the limit of parked ones is reached', async () => {
    // given five entries of which the first three are resolved (each query page holds `limit` items before filtering)
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await store.park(entry({ key: `k-${i}` }))).id);
    for (const id of ids.slice(0, 3)) await store.resolve(id, 'skipped');
    // when listing two parked entries, of the pipeline and across pipelines
    const ofPipeline = await store.list({ pipelineName: 'order-list', limit: 2 });
    const ofKey = await store.list({ key: 'k-4', status: 'all', limit: 2 });
    // then the query went past the resolved ones
    expect(ofPipeline.map((one) => one.id)).toEqual(ids.slice(3));
    expect(ofKey.map((one) => one.id)).toEqual([ids[4]]);
  });

  it('retries throttling, then rejects with DEAD_LETTER_UNAVAILABLE keeping the cause', async () => {
    // given a store whose every call is throttled
    const throttled = await startDynamoDbThrottlingEndpoint();
    const throttledClient = new DynamoDBClient({ ...motoClientConfig(), endpoint: throttled.endpoint, maxAttempts: 1 });
    const down = new DynamoDbDeadLetterStore({ client: throttledClient, tableName, retry: { initialBackoffMs: 1 } });
    // when asking whether a key is parked
    const failure = await down.isKeyParked('order-list', 'order-1').catch((error: unknown) => error);
    throttledClient.destroy();
    await throttled.close();
    // then five Query attempts were made, then the port's error
    expect(throttled.received).toEqual(Array.from({ length: 5 }, () => 'DynamoDB_20120810.Query'));
    expect(failure).toMatchObject({ code: DEAD_LETTER_ERRORS.UNAVAILABLE, details: { operation: 'oldestParked' }, cause: { code: 'AWS_RETRIES_EXHAUSTED' } });
  });
});

function entry(overrides: Partial<NewDeadLetter> = {}): NewDeadLetter {
  return {
    pipelineName: 'order-list',
    key: 'order-1',
    sourcePosition: 7,
    record: Buffer.from([3, 0, 1, 2]),
    errorCode: 'PROJECTION_FAILED',
    errorMessage: 'boom',
    attempts: 5,
    parkedBehindId: null,
    ...overrides,
  };
}
