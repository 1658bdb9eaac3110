import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/DynamoDbIdempotencyStore';
import { IDEMPOTENCY_TABLE } from '../../adapters/aws/tables/idempotencyTable';
import type { DynamoDbEventStoreOptions } from '../../adapters/aws/DynamoDbEventStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { EVENT_STORE_ERRORS } from '../../core/events/EventStore';
import type { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { describeEventStoreContract } from '../contract/eventStoreContract';
import { describeIdempotencyStoreContract } from '../contract/idempotencyStoreContract';
import type { IdempotencyStoreContractOptions } from '../contract/idempotencyStoreContract';
import type { EventStoreContractOptions } from '../contract/eventStoreContract';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from '../contract/eventFixtures';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { dynamoDbError, internalServerError, startFaultInjectingProxy, throughputExceeded } from '../engines/faultInjectingProxy';
import type { FaultInjectingProxy } from '../engines/faultInjectingProxy';
import { createSchemaEnvironment } from '../support/schemaEnvironment';

const execFileAsync = promisify(execFile);
/** A probe starts a Node process with tsx and a schema registry: seconds, not milliseconds. */
const PROBE_TIMEOUT_MS = 60_000;
const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
const fastRetry = { initialBackoffMs: 1, maxBackoffMs: 4 };
let codec: AvroEventCodec;

beforeAll(async () => {
  codec = (await createSchemaEnvironment()).codec;
});
afterAll(() => client.destroy());

async function newTable(): Promise<string> {
  const tableName = uniqueName('events');
  await createDynamoDbTable(client, tableName, EVENTS_TABLE);
  return tableName;
}

async function newStore(options: Partial<DynamoDbEventStoreOptions> = {}): Promise<{ store: DynamoDbEventStore; tableName: string }> {
  const tableName = options.tableName ?? (await newTable());
  return { store: new DynamoDbEventStore(codec, { client, ...options, tableName }), tableName };
}

describeEventStoreContract('DynamoDbEventStore (moto)', async (options: EventStoreContractOptions = {}) => {
  const { store } = await newStore(options.clock ? { clock: options.clock, retry: fastRetry } : { retry: fastRetry });
  return { store, close: async () => undefined };
});

// The append cases of the idempotency contract: the completion travels in the append's
// TransactWriteItems, conditioned on the claim's token, so events and response commit together.
describeIdempotencyStoreContract('DynamoDbIdempotencyStore with DynamoDbEventStore (moto)', async (options: IdempotencyStoreContractOptions) => {
  const idempotencyTableName = uniqueName('idempotency');
  await createDynamoDbTable(client, idempotencyTableName, IDEMPOTENCY_TABLE);
  const { store } = await newStore({ idempotencyTableName, retry: fastRetry });
  return { idempotency: new DynamoDbIdempotencyStore({ client, tableName: idempotencyTableName, ...options }), eventStore: store, close: async () => undefined };
});

describe('DynamoDbEventStore', () => {
  let proxy: FaultInjectingProxy | undefined;
  let proxied: DynamoDBClient | undefined;

  afterEach(async () => {
    proxied?.destroy();
    proxied = undefined;
    await proxy?.close();
    proxy = undefined;
  });

  /** A store whose calls go through a fault-injecting proxy in front of moto, on a fresh table. */
  async function storeBehindProxy(options: Partial<DynamoDbEventStoreOptions> = {}): Promise<{ store: DynamoDbEventStore; direct: DynamoDbEventStore; proxy: FaultInjectingProxy; tableName: string }> {
    const tableName = await newTable();
    proxy = await startFaultInjectingProxy(motoClientConfig().endpoint);
    proxied = new DynamoDBClient({ ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
    const store = new DynamoDbEventStore(codec, { client: proxied, tableName, retry: fastRetry, ...options });
    return { store, direct: new DynamoDbEventStore(codec, { client, tableName }), proxy, tableName };
  }

  describe('the 100-item transaction limit', () => {
    it('appends exactly 100 events to a new aggregate in one transaction', async () => {
      // given a new aggregate (no version check item) and 100 events
      const { store } = await newStore();
      const id = newAggregateId();
      const events = [orderPlaced(id), ...Array.from({ length: 99 }, (_unused, index) => orderItemAdded(id, `sku-${index}`))];
      // when appending them at once
      const result = await store.append(id, 0, events, orderContext());
      // then all 100 are stored
      expect(result.version).toBe(100);
      await expect(store.currentVersion(id)).resolves.toBe(100);
    });

    it('refuses 101 events whole, before writing anything, with a named error', async () => {
      // given 101 events for a new aggregate
      const { store } = await newStore();
      const id = newAggregateId();
      const events = [orderPlaced(id), ...Array.from({ length: 100 }, (_unused, index) => orderItemAdded(id, `sku-${index}`))];
      // when appending them
      const append = store.append(id, 0, events, orderContext());
      // then the append is refused, never split, and nothing is stored
      await expect(append).rejects.toMatchObject({
        name: 'AppendTooLargeError',
        code: EVENT_STORE_ERRORS.APPEND_TOO_LARGE,
        details: { aggregateId: id, events: 101, items: 101, maxItems: 100 },
      });
      await expect(append).rejects.toThrow(/at most 100 items/);
      await expect(store.currentVersion(id)).resolves.toBe(0);
    });

    it('counts the version check and the idempotency completion as items', async () => {
      // given an aggregate at version 1, and 99 more events with an idempotency completion (99 + check + completion = 101)
      const { store } = await newStore({ idempotencyTableName: 'never-reached' });
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id)], orderContext());
      const events = Array.from({ length: 99 }, (_unused, index) => orderItemAdded(id, `sku-${index}`));
      const claim = { clientId: 'web', key: 'k-1', fingerprint: 'f', token: 't' };
      // when appending them
      const append = store.append(id, 1, events, orderContext(), { idempotency: { claim, response: () => ({ status: 202, contentType: 'application/json', body: '{}' }) } });
      // then it is refused as 101 items, and the stream is unchanged
      await expect(append).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.APPEND_TOO_LARGE, details: { events: 99, items: 101 } });
      await expect(store.currentVersion(id)).resolves.toBe(1);
    });
  });

  it('reports a conflicting multi-event append with the version it finds after the failure', async () => {
    // given an aggregate at version 5
    const { store } = await newStore();
    const id = newAggregateId();
    await store.append(id, 0, [orderPlaced(id), ...['a', 'b', 'c', 'd'].map((sku) => orderItemAdded(id, sku))], orderContext());
    // when appending two events as if it were at version 2
    const append = store.append(id, 2, [orderItemAdded(id, 'x'), orderItemAdded(id, 'y')], orderContext());
    // then the conflict names version 5, keeps the DynamoDB cancellation as its cause, and nothing was written
    await expect(append).rejects.toMatchObject({
      code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT,
      details: { aggregateId: id, expectedVersion: 2, actualVersion: 5 },
      cause: expect.objectContaining({ name: 'TransactionCanceledException' }),
    });
    const page = await store.readStream(id);
    expect(page.items.map((event) => event.aggregateVersion)).toEqual([1, 2, 3, 4, 5]);
  });

  it('spreads one day of events over the TimestampIndex shards and reads them back in time order across shards', async () => {
    // given 12 aggregates (so several shards) with one event each, a minute apart, in a 4-shard index
    let minute = 0;
    const clock = (): Date => new Date(Date.parse('2030-03-01T23:50:00.000Z') + 60_000 * minute++);
    const { store, tableName } = await newStore({ timeIndexShards: 4, clock });
    const ids = Array.from({ length: 12 }, () => newAggregateId());
    for (const id of ids) await store.append(id, 0, [orderPlaced(id)], orderContext());
    // when reading the range across midnight in pages of 5
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await store.readByTimeRange({ from: '2030-03-01T23:50:00.000Z', to: '2030-03-02T00:02:00.000Z', limit: 5, cursor });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor);
    // then every event comes once, in time order, and the writes used more than one index partition
    expect(pages.flat().map((event) => event.aggregateId)).toEqual(ids);
    const buckets = new Set((await scanBuckets(tableName)).map((bucket) => bucket.split('#')[1]));
    expect(buckets.size).toBeGreaterThan(1);
  });

  it('bounds the days one time-range read visits, and continues with a cursor', async () => {
    // given one event 40 days after the start of the range, in a 2-shard index
    const { store } = await newStore({ timeIndexShards: 2, clock: () => new Date('2030-02-10T12:00:00.000Z') });
    const id = newAggregateId();
    await store.append(id, 0, [orderPlaced(id)], orderContext());
    // when reading from 2030-01-01 to 2030-03-01, following cursors
    const range = { from: '2030-01-01T00:00:00.000Z', to: '2030-03-01T00:00:00.000Z' };
    const first = await store.readByTimeRange(range);
    const second = await store.readByTimeRange({ ...range, cursor: first.nextCursor });
    // then the first page stops at the bound, empty but with a cursor, and the second finds the event
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(second.items.map((event) => event.aggregateId)).toEqual([id]);
    expect(second.nextCursor).toBeUndefined();
  });

  describe('transient faults, injected at the HTTP layer', () => {
    it('retries a throttled append, then succeeds', async () => {
      // given a proxy that answers the first two TransactWriteItems with ProvisionedThroughputExceededException
      const { store, direct, proxy } = await storeBehindProxy();
      proxy.inject({ target: 'TransactWriteItems', times: 2, fault: throughputExceeded() });
      const id = newAggregateId();
      // when appending
      const result = await store.append(id, 0, [orderPlaced(id), orderItemAdded(id)], orderContext());
      // then the third attempt went through, and the events are stored once
      expect(result.version).toBe(2);
      expect(proxy.count('TransactWriteItems')).toBe(3);
      expect((await direct.readStream(id)).items.map((event) => event.eventId)).toEqual(result.eventIds);
    });

    it('gives up after exactly 5 attempts with EVENT_STORE_UNAVAILABLE, the AWS error as cause, writing nothing', async () => {
      // given a table that throttles every transaction
      const { store, direct, proxy } = await storeBehindProxy();
      proxy.inject({ target: 'TransactWriteItems', fault: throughputExceeded() });
      const id = newAggregateId();
      // when appending
      const append = store.append(id, 0, [orderPlaced(id)], orderContext());
      // then the store tried 5 times, then refused with the retryable code
      await expect(append).rejects.toMatchObject({
        name: 'EventStoreUnavailableError',
        code: EVENT_STORE_ERRORS.STORE_UNAVAILABLE,
        details: { operation: 'append', attempts: 5 },
        cause: expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }),
      });
      expect(proxy.count('TransactWriteItems')).toBe(5);
      await expect(direct.currentVersion(id)).resolves.toBe(0);
    });

    it('retries an append answered with a 500', async () => {
      // given a proxy that answers the first append with DynamoDB's InternalServerError
      const { store, proxy } = await storeBehindProxy();
      proxy.inject({ target: 'TransactWriteItems', times: 1, fault: internalServerError() });
      const id = newAggregateId();
      // when appending
      const result = await store.append(id, 0, [orderPlaced(id)], orderContext());
      // then it succeeded on the second attempt
      expect(result.version).toBe(1);
      expect(proxy.requests.filter((request) => request.target === 'TransactWriteItems').map((request) => request.outcome)).toEqual(['answer', 'forwarded']);
    });

    it('retries an append whose connection was reset before it reached DynamoDB', async () => {
      // given a proxy (in a plain Node process, see the probe) that resets the first append's connection
      const tableName = await newTable();
      // when appending through it
      const result = await socketProbe(tableName, 'reset');
      // then the second attempt wrote the events, once
      expect(result).toMatchObject({ version: 2, outcomes: ['reset', 'forwarded'] });
      expect(result.storedIds).toEqual(result.eventIds);
    }, PROBE_TIMEOUT_MS);

    it('retries a transaction cancelled only for a transaction conflict', async () => {
      // given a proxy that cancels the first append as DynamoDB does when another transaction holds the item
      const { store, proxy } = await storeBehindProxy();
      const cancelled = dynamoDbError('TransactionCanceledException', 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]');
      const withReasons = { ...cancelled, body: JSON.stringify({ ...JSON.parse(cancelled.kind === 'answer' ? cancelled.body : '{}'), CancellationReasons: [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }] }) };
      proxy.inject({ target: 'TransactWriteItems', times: 1, fault: withReasons });
      const id = newAggregateId();
      // when appending
      const result = await store.append(id, 0, [orderPlaced(id)], orderContext());
      // then the second attempt wrote it
      expect(result.version).toBe(1);
      expect(proxy.count('TransactWriteItems')).toBe(2);
    });

    it('recognises its own committed append when the answer was lost, instead of reporting a conflict', async () => {
      // given a proxy that lets the first append reach moto and commit, then resets the connection
      const tableName = await newTable();
      // when appending through it
      const result = await socketProbe(tableName, 'reset-after-forward');
      // then the retry found the append's own events: success, stored once
      expect(result).toMatchObject({ version: 2, outcomes: ['reset-after-forward', 'forwarded'] });
      expect(result.storedIds).toEqual(result.eventIds);
    }, PROBE_TIMEOUT_MS);

    it('retries throttled reads, then gives up with EVENT_STORE_UNAVAILABLE', async () => {
      // given an aggregate with an event, and a proxy that throttles every Query
      const { store, direct, proxy } = await storeBehindProxy();
      const id = newAggregateId();
      await direct.append(id, 0, [orderPlaced(id)], orderContext());
      proxy.inject({ target: 'Query', fault: dynamoDbError('ThrottlingException', 'Rate of requests exceeds the allowed throughput (injected)') });
      // when reading the stream
      const read = store.readStream(id);
      // then after 5 attempts the read is refused as unavailable
      await expect(read).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.STORE_UNAVAILABLE, details: { operation: 'readStream', attempts: 5 } });
      expect(proxy.count('Query')).toBe(5);
    });
  });
});

/** Runs DynamoDbEventStore.socketProbe.ts in a plain Node process (see why there) and parses its answer. */
async function socketProbe(tableName: string, fault: 'reset' | 'reset-after-forward'): Promise<Record<string, unknown>> {
  const probe = join(__dirname, 'DynamoDbEventStore.socketProbe.ts');
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const { stdout } = await execFileAsync(tsx, [probe, tableName, fault], { env: process.env, timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function scanBuckets(tableName: string): Promise<string[]> {
  const buckets: string[] = [];
  for (let day = 1; day <= 2; day += 1) {
    for (let shard = 0; shard < 4; shard += 1) {
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'TimestampIndex',
          KeyConditionExpression: 'timeBucket = :b',
          ExpressionAttributeValues: { ':b': { S: `2030-03-0${day}#${shard}` } },
        }),
      );
      for (const item of output.Items ?? []) buckets.push(item.timeBucket?.S ?? '');
    }
  }
  return buckets;
}
