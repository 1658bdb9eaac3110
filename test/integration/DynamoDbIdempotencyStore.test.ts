import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/DynamoDbIdempotencyStore';
import { idempotencyCompletionItem, idempotencyItemKey } from '../../adapters/aws/dynamoDbIdempotencyItems';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { IDEMPOTENCY_TABLE } from '../../adapters/aws/tables/idempotencyTable';
import { IDEMPOTENCY_ERRORS } from '../../core/idempotency/IdempotencyStore';
import type { ClaimOutcome, IdempotencyClaim, StoredResponse } from '../../core/idempotency/IdempotencyStore';
import { describeIdempotencyKeyContract } from '../contract/idempotencyStoreContract';
import type { IdempotencyStoreContractOptions } from '../contract/idempotencyStoreContract';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startDynamoDbThrottlingEndpoint } from '../engines/dynamoDbThrottlingEndpoint';

const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
afterAll(() => client.destroy());

async function newTable(): Promise<string> {
  const tableName = uniqueName('idempotency');
  await createDynamoDbTable(client, tableName, IDEMPOTENCY_TABLE);
  return tableName;
}

describeIdempotencyKeyContract('DynamoDbIdempotencyStore (moto)', async (options: IdempotencyStoreContractOptions) => {
  const tableName = await newTable();
  return { idempotency: new DynamoDbIdempotencyStore({ client, tableName, ...options }), close: async () => undefined };
});

describe('DynamoDbIdempotencyStore', () => {
  const RESPONSE: StoredResponse = { status: 202, contentType: 'application/json', body: '{"version":1}' };
  let tableName: string;
  let nowMs: number;
  let store: DynamoDbIdempotencyStore;

  beforeEach(async () => {
    tableName = await newTable();
    nowMs = Date.parse('2030-01-01T00:00:00.000Z');
    store = new DynamoDbIdempotencyStore({ client, tableName, clock: () => new Date(nowMs), ttlSeconds: 3600, leaseMs: 10_000 });
  });

  it('writes the DynamoDB TTL attribute in epoch seconds, and the table has TTL enabled on it', async () => {
    // given a claimed key
    const claim = claimed(await store.claim({ clientId: 'web', key: 'k-1', fingerprint: 'f' }));
    // when reading the item and the table's TTL settings
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: idempotencyItemKey(claim), ConsistentRead: true }))).Item;
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    // then the TTL attribute is the expiry in seconds and TTL is on
    expect(item?.expiresAt?.N).toBe(String((nowMs + 3600 * 1000) / 1000));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('treats an expired item that TTL has not deleted yet as absent', async () => {
    // given a completed key, still stored one second after it expired (TTL deletes lazily)
    const request = { clientId: 'web', key: 'k-late', fingerprint: 'f-1' };
    await store.complete(claimed(await store.claim(request)), RESPONSE);
    nowMs += 3600 * 1000 + 1000;
    const stillThere = (await client.send(new GetItemCommand({ TableName: tableName, Key: idempotencyItemKey(request), ConsistentRead: true }))).Item;
    // when another request claims the key
    const outcome = await store.claim({ ...request, fingerprint: 'f-2' });
    // then it is a fresh claim, not a replay nor a reuse
    expect(stillThere).toBeDefined();
    expect(outcome.outcome).toBe('claimed');
  });

  it('completes a claim inside a TransactWriteItems beside other writes', async () => {
    // given a claimed key and a table for the other write
    const request = { clientId: 'web', key: 'k-tx', fingerprint: 'f' };
    const claim = claimed(await store.claim(request));
    const otherTable = await newTable();
    // when a transaction writes an item and the completion
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: otherTable, Item: idempotencyItemKey({ clientId: 'event', key: '1' }) } },
          idempotencyCompletionItem(tableName, { claim, response: (version: number) => ({ ...RESPONSE, body: JSON.stringify({ version }) }) }, 7),
        ],
      }),
    );
    // then the response built from the result is replayed
    expect(await store.claim(request)).toEqual({ outcome: 'replay', response: { ...RESPONSE, body: '{"version":7}' } });
  });

  it('cancels the whole transaction, naming the completion, when the claim was lost', async () => {
    // given a claim whose lease ran out and was taken over by a retry
    const request = { clientId: 'web', key: 'k-lost', fingerprint: 'f' };
    const stale = claimed(await store.claim(request));
    nowMs += 10_000;
    await store.claim(request);
    const otherTable = await newTable();
    const eventKey = idempotencyItemKey({ clientId: 'event', key: '1' });
    // when the stale owner writes an item with its completion
    const failure = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: otherTable, Item: eventKey } }, idempotencyCompletionItem(tableName, { claim: stale, response: () => RESPONSE }, undefined)],
        }),
      )
      .catch((error: unknown) => error);
    // then the transaction is cancelled at the completion's index and the other write is not there
    expect((failure as Error).name).toBe('TransactionCanceledException');
    expect((failure as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect((await client.send(new GetItemCommand({ TableName: otherTable, Key: eventKey, ConsistentRead: true }))).Item).toBeUndefined();
  });

  it('retries throttling, then rejects with IDEMPOTENCY_STORE_UNAVAILABLE keeping the cause', async () => {
    // given a store whose every call is throttled
    const throttled = await startDynamoDbThrottlingEndpoint();
    const throttledClient = new DynamoDBClient({ ...motoClientConfig(), endpoint: throttled.endpoint, maxAttempts: 1 });
    const down = new DynamoDbIdempotencyStore({ client: throttledClient, tableName, retry: { initialBackoffMs: 1 } });
    // when claiming
    const failure = await down.claim({ clientId: 'web', key: 'k', fingerprint: 'f' }).catch((error: unknown) => error);
    throttledClient.destroy();
    await throttled.close();
    // then every attempt was made and the port's error names the operation
    expect(throttled.received).toEqual(Array.from({ length: 5 }, () => 'DynamoDB_20120810.PutItem'));
    expect(failure).toMatchObject({ code: IDEMPOTENCY_ERRORS.STORE_UNAVAILABLE, details: { operation: 'claim' } });
    expect((failure as Error).cause).toMatchObject({ code: 'AWS_RETRIES_EXHAUSTED' });
  });

  it('refuses options that are not positive', () => {
    // given / when / then
    expect(() => new DynamoDbIdempotencyStore({ client, tableName, ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => new DynamoDbIdempotencyStore({ client, tableName, leaseMs: -1 })).toThrow(/leaseMs/);
  });
});

function claimed(outcome: ClaimOutcome): IdempotencyClaim {
  if (outcome.outcome !== 'claimed') throw new Error(`expected a claim, got ${outcome.outcome}`);
  return outcome.claim;
}
