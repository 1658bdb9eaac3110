/**
 * Issue 11, part 5, on the AWS read side: the query API over OpenSearchReadModelStore, whose
 * store cursors (search_after values) differ from SQLite's (keyset rows). Cursors are sealed and
 * bound to the query the same way, ranges filter, and ETags revalidate.
 */
import { Client } from '@opensearch-project/opensearch';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { SqliteEventStore } from '../../adapters/embedded';
import { CommandService } from '../../core/command';
import { createApi } from '../../core/http';
import { silentLogger } from '../../core/logging/Logger';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderListReadModel, orderUpcasters } from '../../domain';
import { uniqueName } from '../engines/awsTestClients';
import { openSearchEndpoint } from '../engines/openSearchNode';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import type { SchemaEnvironment } from '../support/schemaEnvironment';
import { bearer, securityFor } from '../unit/auth/securedApi';

type Json = Record<string, unknown>;

const client = new Client({ node: openSearchEndpoint(), maxRetries: 0, requestTimeout: 30_000 });
afterAll(() => client.close());

describe('the query API on OpenSearchReadModelStore', () => {
  let env: SchemaEnvironment;
  let closeSecurity: () => void;
  let app: ReturnType<typeof createApi>;
  let store: OpenSearchReadModelStore;
  let prefix: string;
  let admin: Record<string, string>;

  beforeAll(async () => {
    admin = await bearer('root', 'admin');
  });

  beforeEach(async () => {
    prefix = `${uniqueName('rmq')}-`;
    store = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 });
    env = await createSchemaEnvironment();
    const eventStore = new SqliteEventStore(env.db, env.codec);
    const upcasters = new UpcasterRegistry(orderUpcasters);
    const aggregates = [orderAggregate];
    const commands = new CommandService({ eventStore, codec: env.codec, upcasters, aggregates, logger: silentLogger });
    const security = await securityFor(commands, aggregates, silentLogger);
    closeSecurity = security.close;
    app = createApi({ commands, readModels: [orderListReadModel], readModelStore: store, logger: silentLogger, security: security.security, history: { eventStore, codec: env.codec, upcasters, aggregate: orderAggregate } });
    const orders = store.collection('orders');
    for (let n = 1; n <= 5; n += 1) {
      const createdAt = `2026-01-0${n}T10:00:00.000Z`;
      await orders.upsertIfNewer(`o-${n}`, 1, { orderId: `o-${n}`, customerId: 'c-1', status: 'PLACED', items: [], itemCount: 0, total: { amount: n * 50, currency: 'EUR' }, totalAmount: n * 50, createdAt, updatedAt: createdAt });
    }
  });

  afterEach(async () => {
    closeSecurity();
    env.db.close();
    await client.indices.delete({ index: `${prefix}*` });
  });

  async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Json }> {
    const response = await app.request(path, { headers: { ...admin, ...headers } });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Json) };
  }

  it('pages a range with sealed cursors to the end, each order once', async () => {
    // given five orders of 50 to 250
    // when paging orders of at least 100, by total, two at a time
    const seen: unknown[] = [];
    let path = '/api/queries/orders?totalAmount[gte]=100&sort=total&order=asc&limit=2';
    for (let page = 0; page < 5; page += 1) {
      const answer = await get(path);
      expect(answer.status).toBe(200);
      seen.push(...(answer.body.items as Json[]).map((item) => item.orderId));
      if (answer.body.nextCursor === undefined) break;
      path = `/api/queries/orders?totalAmount[gte]=100&sort=total&order=asc&limit=2&cursor=${encodeURIComponent(answer.body.nextCursor as string)}`;
    }
    // then
    expect(seen).toEqual(['o-2', 'o-3', 'o-4', 'o-5']);
  });

  it('refuses a cursor altered or used with another query, naming cursor', async () => {
    // given a cursor of one query
    const first = await get('/api/queries/orders?sort=total&limit=2');
    const cursor = first.body.nextCursor as string;
    const altered = `${cursor.slice(0, 3)}${cursor[3] === 'A' ? 'B' : 'A'}${cursor.slice(4)}`;
    // when
    const tampered = await get(`/api/queries/orders?sort=total&limit=2&cursor=${encodeURIComponent(altered)}`);
    const foreign = await get(`/api/queries/orders?sort=total&order=asc&limit=2&cursor=${encodeURIComponent(cursor)}`);
    // then
    expect([tampered.status, tampered.body.code, tampered.body.field]).toEqual([400, 'CURSOR_TAMPERED', 'cursor']);
    expect([foreign.status, foreign.body.code, foreign.body.field]).toEqual([400, 'CURSOR_QUERY_MISMATCH', 'cursor']);
  });

  it('answers 304 for an unchanged list and 200 with a new ETag once a document changes', async () => {
    // given a list and its tag
    const first = await get('/api/queries/orders?createdAt[lt]=2026-01-03T00:00:00Z');
    const etag = first.headers.get('etag') ?? '';
    // when asked again, then after an order of the list changed
    const unchanged = await get('/api/queries/orders?createdAt[lt]=2026-01-03T00:00:00Z', { 'if-none-match': etag });
    await store.collection('orders').upsertIfNewer('o-1', 2, { orderId: 'o-1', customerId: 'c-1', status: 'CANCELLED', items: [], itemCount: 0, total: { amount: 50, currency: 'EUR' }, totalAmount: 50, createdAt: '2026-01-01T10:00:00.000Z', updatedAt: '2026-01-06T10:00:00.000Z' });
    const changed = await get('/api/queries/orders?createdAt[lt]=2026-01-03T00:00:00Z', { 'if-none-match': etag });
    // then
    expect((first.body.items as Json[]).map((item) => item.orderId)).toEqual(['o-2', 'o-1']);
    expect(unchanged.status).toBe(304);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });
});
