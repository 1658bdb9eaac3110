import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import type { OpenSearchReadModelStoreOptions } from '../../adapters/aws/OpenSearchReadModelStore';
import { READ_MODEL_ERRORS } from '../../core/readmodel/ReadModelStore';
import { describeReadModelStoreContract } from '../contract/readModelStoreContract';
import { uniqueName } from '../engines/awsTestClients';
import { openSearchEndpoint, startOpenSearchNode } from '../engines/openSearchNode';
import type { OpenSearchNode } from '../engines/openSearchNode';

interface Order {
  status: string;
  total?: number;
}

const client = new Client({ node: openSearchEndpoint(), maxRetries: 0, requestTimeout: 30_000 });
afterAll(() => client.close());

/** A store over indices no other test uses (`<prefix><collection>`), and how to drop them. */
function isolatedStore(options: Partial<OpenSearchReadModelStoreOptions> = {}): { store: OpenSearchReadModelStore; prefix: string; close(): Promise<void> } {
  const prefix = `${uniqueName('rm')}-`;
  const store = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0, ...options });
  return { store, prefix, close: async () => void (await client.indices.delete({ index: `${prefix}*` })) };
}

describeReadModelStoreContract('OpenSearchReadModelStore', async () => isolatedStore());

describe('OpenSearchReadModelStore', () => {
  let subject: ReturnType<typeof isolatedStore>;

  beforeEach(() => {
    subject = isolatedStore();
  });

  afterEach(async () => {
    await subject.close();
  });

  it('keeps a deleted document deleted when an older upsert is replayed, after OpenSearch forgot the delete', async () => {
    // given a document deleted at version 5, in an index that forgets deletes at once
    const orders = subject.store.collection<Order>('orders', { indexedFields: ['status'] });
    await orders.upsertIfNewer('o1', 4, { status: 'placed' });
    await client.indices.putSettings({ index: `${subject.prefix}orders`, body: { index: { gc_deletes: '0ms' } } });
    const deleted = await orders.deleteIfNewer('o1', 5);
    // (a refresh prunes deletes older than gc_deletes: after it, a plain delete at version 5
    // would let an upsert at version 3 create the document again)
    await client.indices.refresh({ index: `${subject.prefix}orders` });
    // when the events of versions 3 and 5 are replayed
    const replayedUpsert = await orders.upsertIfNewer('o1', 3, { status: 'placed' });
    const replayedDelete = await orders.deleteIfNewer('o1', 5);
    // then the document stays deleted, and queries do not see its tombstone
    expect([deleted, replayedUpsert, replayedDelete]).toEqual([true, false, false]);
    await expect(orders.get('o1')).resolves.toBeUndefined();
    await expect(orders.query({ where: { status: 'placed' } })).resolves.toEqual({ items: [] });
  });

  it('answers false for a delete of a missing document, yet refuses older upserts after it', async () => {
    // given a collection without o1
    const orders = subject.store.collection<Order>('orders');
    // when a delete at version 2 arrives, then an upsert at version 1
    const deleted = await orders.deleteIfNewer('o1', 2);
    const upserted = await orders.upsertIfNewer('o1', 1, { status: 'placed' });
    // then nothing was removed, and the older upsert lost against the delete
    expect([deleted, upserted]).toEqual([false, false]);
    await expect(orders.get('o1')).resolves.toBeUndefined();
  });

  it('lets a newer upsert bring a deleted document back', async () => {
    // given a document deleted at version 2
    const orders = subject.store.collection<Order>('orders');
    await orders.upsertIfNewer('o1', 1, { status: 'placed' });
    await orders.deleteIfNewer('o1', 2);
    // when an upsert at version 3 arrives
    const upserted = await orders.upsertIfNewer('o1', 3, { status: 'reopened' });
    // then the document is back at version 3
    expect(upserted).toBe(true);
    await expect(orders.get('o1')).resolves.toEqual({ id: 'o1', version: 3, data: { status: 'reopened' } });
  });

  it('keeps the newest version when two stores write the same document at once', async () => {
    // given two stores on the same indices (two processes projecting the same key)
    const first = subject.store.collection<Order>('orders');
    const second = new OpenSearchReadModelStore({ client, indexPrefix: subject.prefix, numberOfReplicas: 0 }).collection<Order>('orders');
    // when they race with versions 1 to 10, in opposite orders
    const versions = Array.from({ length: 10 }, (_unused, index) => index + 1);
    await Promise.all([
      ...versions.map((version) => first.upsertIfNewer('o1', version, { status: `v${version}` })),
      ...[...versions].reverse().map((version) => second.upsertIfNewer('o1', version, { status: `v${version}` })),
    ]);
    // then OpenSearch kept version 10
    await expect(first.get('o1')).resolves.toEqual({ id: 'o1', version: 10, data: { status: 'v10' } });
  });

  it('refuses to filter or sort on a field the collection did not declare, naming it', async () => {
    // given a collection that declares status only
    const orders = subject.store.collection<Order>('orders', { indexedFields: ['status'] });
    // when filtering and sorting on total
    const filtered = orders.query({ where: { total: 10 } });
    const sorted = orders.query({ sortBy: 'total' });
    // then both are refused with the field named
    await expect(filtered).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'total' } });
    await expect(sorted).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'total' } });
  });

  it('stores undeclared fields without indexing them: the mapping holds declared fields only', async () => {
    // given a collection that declares status, and a document with more fields
    const orders = subject.store.collection<Record<string, unknown>>('orders', { indexedFields: ['status'] });
    const data = { status: 'placed', lines: [{ sku: 'a', quantity: 2 }], note: { text: 'leave at the door' } };
    // when writing it
    await orders.upsertIfNewer('o1', 1, data);
    // then it reads back whole, and the index's mapping did not grow
    await expect(orders.get('o1')).resolves.toEqual({ id: 'o1', version: 1, data });
    const mapping = await client.indices.getMapping({ index: `${subject.prefix}orders` });
    // (one physical index behind the collection's alias)
    const properties = (Object.values(mapping.body)[0] as { mappings: { properties: { fields: { properties: object } } } }).mappings.properties;
    expect(Object.keys(properties).sort()).toEqual(['data', 'deleted', 'deletedAt', 'fields', 'id']);
    expect(Object.keys(properties.fields.properties)).toEqual(['status']);
  });

  it('sorts mixed values as SQLite does: missing first, then numbers (booleans as 0 and 1), then text', async () => {
    // given values of every kind in one declared field
    const things = subject.store.collection<{ value?: unknown }>('things', { indexedFields: ['value'] });
    await things.upsertIfNewer('a', 1, { value: 'b' });
    await things.upsertIfNewer('b', 1, { value: 2 });
    await things.upsertIfNewer('c', 1, {});
    await things.upsertIfNewer('d', 1, { value: true });
    await things.upsertIfNewer('e', 1, { value: 'a' });
    await things.upsertIfNewer('f', 1, { value: 0.5 });
    // when sorting by it both ways
    const ascending = await things.query({ sortBy: 'value' });
    const descending = await things.query({ sortBy: 'value', direction: 'desc' });
    // then the order is NULL < 0.5 < true (1) < 2 < 'a' < 'b', reversed for desc
    expect(ascending.items.map((item) => item.id)).toEqual(['c', 'f', 'd', 'b', 'e', 'a']);
    expect(descending.items.map((item) => item.id)).toEqual(['a', 'e', 'b', 'd', 'f', 'c']);
  });
});

describe('OpenSearchReadModelStore when its node stops mid-run', () => {
  // A node of its own: the shared one serves every other test of this run.
  let node: OpenSearchNode | undefined;
  let dataPath: string;
  let ownClient: Client;

  beforeAll(async () => {
    dataPath = mkdtempSync(join(tmpdir(), 'nexus-opensearch-restart-'));
    node = await startOpenSearchNode({ dataPath });
    ownClient = new Client({ node: node.endpoint, maxRetries: 0, requestTimeout: 10_000 });
  }, 240_000);

  afterAll(async () => {
    await ownClient?.close();
    await node?.stop();
    rmSync(dataPath, { recursive: true, force: true });
  }, 60_000);

  it('fails with READ_MODEL_UNAVAILABLE after its retries, then resumes on the restarted node with nothing lost', async () => {
    // given documents written and acknowledged, then a crash of the node
    const options = { client: ownClient, indexPrefix: 'restart-', numberOfReplicas: 0 };
    const orders = new OpenSearchReadModelStore({ ...options, retry: { maxAttempts: 3, initialBackoffMs: 10 } }).collection<Order>('orders', { indexedFields: ['status'] });
    for (let index = 1; index <= 5; index += 1) await orders.upsertIfNewer(`o${index}`, 1, { status: 'placed' });
    const { port } = node!;
    await node!.kill();

    // when writing while it is down
    const failure = await orders.upsertIfNewer('o6', 1, { status: 'placed' }).catch((error: unknown) => error);
    // then the store gave up with the named error and the client's error as cause
    expect(failure).toMatchObject({ code: READ_MODEL_ERRORS.STORE_UNAVAILABLE, details: { attempts: 3 } });
    expect((failure as Error).cause).toMatchObject({ name: 'ConnectionError' });

    // when a patient store writes while the node comes back on the same data and port
    const patient = new OpenSearchReadModelStore({ ...options, retry: { maxAttempts: 1_000, initialBackoffMs: 50, maxBackoffMs: 500 } }).collection<Order>('orders', { indexedFields: ['status'] });
    const waitingWrite = patient.upsertIfNewer('o7', 1, { status: 'placed' });
    node = await startOpenSearchNode({ dataPath, port });
    // and the failed write is applied again, as a pipeline's retry would
    const retried = await orders.upsertIfNewer('o6', 1, { status: 'placed' });

    // then both land, and every acknowledged document survived the crash
    expect(await waitingWrite).toBe(true);
    expect(retried).toBe(true);
    const page = await orders.query({ where: { status: 'placed' }, limit: 100 });
    expect(page.items.map((item) => item.id)).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']);
  }, 300_000);
});

/** A loopback proxy to the shared node that answers the next `failures` requests itself with `status`. */
async function startFaultProxy(): Promise<{ endpoint: string; failNext(count: number, status: number): void; requests: number; close(): Promise<void> }> {
  const target = new URL(openSearchEndpoint());
  let failures = 0;
  let failStatus = 503;
  const state = {
    endpoint: '',
    requests: 0,
    failNext: (count: number, status: number): void => {
      failures = count;
      failStatus = status;
    },
    close: (): Promise<void> => new Promise((done) => server.close(() => done())),
  };
  const server = createServer((incoming, outgoing) => {
    state.requests += 1;
    if (failures > 0) {
      failures -= 1;
      incoming.resume();
      const body = JSON.stringify({ error: { type: 'injected_fault', reason: `injected ${failStatus}` }, status: failStatus });
      outgoing.writeHead(failStatus, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const forwarded = request({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

describe('OpenSearchReadModelStore under transient faults', () => {
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  let proxiedClient: Client;
  let prefix: string;

  beforeAll(async () => {
    proxy = await startFaultProxy();
    proxiedClient = new Client({ node: proxy.endpoint, maxRetries: 0, requestTimeout: 10_000 });
  });

  afterAll(async () => {
    await proxiedClient.close();
    await proxy.close();
  });

  beforeEach(() => {
    prefix = `${uniqueName('rm')}-`;
  });

  afterEach(async () => {
    await client.indices.delete({ index: `${prefix}*` });
  });

  function collection(maxAttempts: number): ReturnType<OpenSearchReadModelStore['collection']> {
    const store = new OpenSearchReadModelStore({ client: proxiedClient, indexPrefix: prefix, numberOfReplicas: 0, retry: { maxAttempts, initialBackoffMs: 5 } });
    return store.collection('orders', { indexedFields: ['status'] });
  }

  it.each([429, 502, 503])('retries a %d answer and then writes', async (status) => {
    // given an existing index and OpenSearch answering the next two requests with the status
    const orders = collection(5);
    await orders.upsertIfNewer('o0', 1, { status: 'placed' });
    proxy.failNext(2, status);
    // when writing
    const written = await orders.upsertIfNewer('o1', 1, { status: 'placed' });
    // then the third attempt wrote
    expect(written).toBe(true);
    await expect(orders.get('o1')).resolves.toMatchObject({ version: 1 });
  });

  it('gives up after its attempts with READ_MODEL_UNAVAILABLE and the last answer as cause', async () => {
    // given an existing index and OpenSearch answering 503 to everything for a while
    const orders = collection(3);
    await orders.upsertIfNewer('o0', 1, { status: 'placed' });
    proxy.failNext(10, 503);
    // when querying
    const failure = await orders.query().catch((error: unknown) => error);
    proxy.failNext(0, 503);
    // then three attempts were made and the error names the store's code
    expect(failure).toMatchObject({ code: READ_MODEL_ERRORS.STORE_UNAVAILABLE, details: { operation: 'refresh', attempts: 3 } });
    expect((failure as Error).cause).toMatchObject({ meta: { statusCode: 503 } });
  });

  it('does not retry an answer that would not change (a 400)', async () => {
    // given an existing index
    const orders = collection(5);
    await orders.upsertIfNewer('o0', 1, { status: 'placed' });
    const before = proxy.requests;
    // when writing at a version OpenSearch refuses outright
    const failure = await orders.upsertIfNewer('o1', -1, { status: 'placed' }).catch((error: unknown) => error);
    // then one request was made and the failure is the store's error
    expect(proxy.requests - before).toBe(1);
    expect(failure).toMatchObject({ code: READ_MODEL_ERRORS.STORE_UNAVAILABLE, details: { attempts: 1 } });
  });
});
