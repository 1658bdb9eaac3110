import Database from 'better-sqlite3';
import { SqliteEventStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { CommandService, defineCommand, PayloadReader } from '../../../core/command';
import type { AggregateDefinition, CommandOf } from '../../../core/command';
import { createApi } from '../../../core/http';
import { createJsonLogger } from '../../../core/logging/Logger';
import { collectionOptionsOf } from '../../../core/readmodel/ReadModelDeclaration';
import type { ReadModelCollection } from '../../../core/readmodel/ReadModelStore';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { ORDER_LIST_COLLECTION, orderAggregate, orderListReadModel, orderListReducer, orderUpcasters } from '../../../domain';
import type { OrderListItem } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { bearer, securityFor } from '../auth/securedApi';

type Json = Record<string, unknown>;
type Api = ReturnType<typeof createApi>;

const probe = defineCommand({
  commandType: 'Probe',
  aggregateIdField: 'id',
  createsAggregate: true,
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { id: body.string('id'), mode: body.string('mode') };
    body.end();
    return data;
  },
});

/** Emits what the real store and codec must refuse, or fails the way a bug would. */
const probeAggregate: AggregateDefinition<CommandOf<typeof probe>> = {
  aggregateType: 'Probe',
  decider: {
    initialState: () => null,
    evolve: (state) => state,
    decide: ({ data }) => {
      if (data.mode === 'unregistered') return [{ type: 'ProbeFired', data: { id: data.id } }];
      if (data.mode === 'invalid') return [{ type: 'OrderConfirmed', data: { orderId: data.id, confirmedAt: 42 } }];
      throw new Error('secret internal detail');
    },
  },
  commands: [probe],
};

let env: SchemaEnvironment;
let store: SqliteEventStore;
let readDb: Database.Database;
let readModelStore: SqliteReadModelStore;
let orders: ReadModelCollection<OrderListItem>;
let upcasters: UpcasterRegistry;
let logLines: Json[];
let app: Api;
let admin: Record<string, string>;
let closeSecurity: (() => void) | undefined;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
});

async function buildApp(maxBodyBytes?: number): Promise<Api> {
  const logger = createJsonLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Json) });
  const aggregates = [orderAggregate, probeAggregate];
  const commands = new CommandService({ eventStore: store, codec: env.codec, upcasters, aggregates, logger });
  closeSecurity?.();
  const { security, close } = await securityFor(commands, aggregates, logger);
  closeSecurity = close;
  return createApi(
    { commands, readModels: [orderListReadModel], readModelStore, logger, health: async () => ({ pipelines: 'running' }), security, history: { eventStore: store, codec: env.codec, upcasters, aggregate: orderAggregate } },
    maxBodyBytes === undefined ? {} : { maxBodyBytes },
  );
}

beforeEach(async () => {
  env = await createSchemaEnvironment();
  store = new SqliteEventStore(env.db, env.codec);
  readDb = new Database(':memory:');
  readModelStore = new SqliteReadModelStore(readDb);
  orders = readModelStore.collection<OrderListItem>(ORDER_LIST_COLLECTION, collectionOptionsOf(orderListReadModel));
  upcasters = new UpcasterRegistry(orderUpcasters);
  logLines = [];
  app = await buildApp();
});

afterEach(() => {
  closeSecurity?.();
  closeSecurity = undefined;
  if (env.db.open) env.db.close();
  if (readDb.open) readDb.close();
});

async function post(commandType: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await app.request(`/api/commands/${commandType}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...admin, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

async function get(path: string): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await app.request(path, { headers: admin });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

/** Projects every stored event into the orders read model, as the order-list pipeline does. */
async function project(): Promise<void> {
  for (const stored of await store.readAll(0, 1000)) {
    const decoded = await env.codec.decode(stored.payload);
    const { payload } = upcasters.upcast(decoded.eventType, decoded.schemaVersion, decoded.payload);
    const current = await orders.get(stored.aggregateId);
    if (current && current.version >= stored.aggregateVersion) continue;
    const next = orderListReducer(current?.data, { eventType: decoded.eventType, payload, envelope: stored });
    if (next) await orders.upsertIfNewer(stored.aggregateId, stored.aggregateVersion, next);
  }
}

function expectProblem(response: { status: number; headers: Headers; body: Json }, status: number, code: string, field?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({
    type: `urn:nexus:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    correlationId: response.headers.get('x-correlation-id'),
    instance: expect.stringMatching(/^\//),
  });
  if (field === undefined) expect(response.body.field).toBeUndefined();
  else expect(response.body.field).toBe(field);
}

const order = { customerId: 'c-1', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' };

describe('POST /api/commands/:commandType', () => {
  it('accepts a command with 202, echoing the correlation id', async () => {
    // given
    const headers = { 'x-correlation-id': 'tour-1' };
    // when
    const response = await post('PlaceOrder', order, headers);
    // then
    expect(response.status).toBe(202);
    expect(response.headers.get('x-correlation-id')).toBe('tour-1');
    expect(response.body).toEqual({ aggregateId: expect.any(String), version: 1, eventIds: [expect.any(String)], correlationId: 'tour-1' });
    const [stored] = (await store.readStream(response.body.aggregateId as string)).items;
    expect(stored?.correlationId).toBe('tour-1');
  });

  it('generates a correlation id when the request has none', async () => {
    // given no x-correlation-id header
    // when
    const response = await post('PlaceOrder', order);
    // then
    const generated = response.headers.get('x-correlation-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.correlationId).toBe(generated);
  });

  it.each([
    ['malformed JSON', 'PlaceOrder', '{"customerId": ', {}, 400, 'MALFORMED_JSON', undefined],
    ['an empty body', 'PlaceOrder', '', {}, 400, 'MALFORMED_JSON', undefined],
    ['an invalid correlation id', 'PlaceOrder', order, { 'x-correlation-id': 'has spaces!' }, 400, 'INVALID_HEADER', 'x-correlation-id'],
    ['a wrong content type', 'PlaceOrder', 'customerId=c-1', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type'],
    ['a non-UTF-8 JSON charset', 'PlaceOrder', order, { 'content-type': 'application/json; charset=latin1' }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type'],
    ['an oversize body', 'PlaceOrder', { ...order, customerId: 'x'.repeat(70_000) }, {}, 413, 'PAYLOAD_TOO_LARGE', undefined],
    ['an unknown command', 'ShipToMars', order, {}, 404, 'UNKNOWN_COMMAND', 'commandType'],
    ['an invalid field', 'PlaceOrder', { ...order, items: [{ sku: 'X', quantity: -1, unitPrice: 1 }] }, {}, 422, 'INVALID_COMMAND', 'items[0].quantity'],
    ['a body that is not an object', 'PlaceOrder', [order], {}, 422, 'INVALID_COMMAND', undefined],
    ['an event without a registered schema', 'Probe', { id: 'p-1', mode: 'unregistered' }, {}, 422, 'UNREGISTERED_EVENT', undefined],
    ['an event payload that breaks its schema', 'Probe', { id: 'p-1', mode: 'invalid' }, {}, 422, 'INVALID_EVENT_PAYLOAD', 'confirmedAt'],
    ['a command on a missing order', 'CancelOrder', { orderId: 'nope', reason: 'x' }, {}, 404, 'ORDER_NOT_FOUND', undefined],
  ])('answers %s with problem+json and stores nothing', async (_case, commandType, body, headers, status, code, field) => {
    // given
    const head = await store.headPosition();
    // when
    const response = await post(commandType, body, headers);
    // then
    expectProblem(response, status, code, field);
    expect(await store.headPosition()).toBe(head);
  });

  it('refuses a body over the limit by its declared Content-Length', async () => {
    // given
    app = await buildApp(100);
    // when
    const response = await app.request('/api/commands/PlaceOrder', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '101', ...admin },
      body: JSON.stringify(order).slice(0, 101),
    });
    // then
    expectProblem({ status: response.status, headers: response.headers, body: (await response.json()) as Json }, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a streamed body over the limit by the bytes read', async () => {
    // given: no Content-Length, the body arrives in chunks
    app = await buildApp(100);
    const chunk = new TextEncoder().encode(JSON.stringify({ customerId: 'x'.repeat(60) }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    // when
    const response = await app.request('/api/commands/PlaceOrder', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    // then
    expectProblem({ status: response.status, headers: response.headers, body: (await response.json()) as Json }, 413, 'PAYLOAD_TOO_LARGE');
    expect(await store.headPosition()).toBe(0);
  });

  it('answers a business rule violation with 409 and the rule as code', async () => {
    // given
    const { body } = await post('PlaceOrder', order);
    await post('CancelOrder', { orderId: body.aggregateId, reason: 'first' });
    const head = await store.headPosition();
    // when
    const response = await post('CancelOrder', { orderId: body.aggregateId, reason: 'second' });
    // then
    expectProblem(response, 409, 'ORDER_ALREADY_CANCELLED');
    expect(response.body.orderId).toBe(body.aggregateId);
    expect(await store.headPosition()).toBe(head);
  });

  it('answers a stale expectedVersion with 409, the expected and the current version', async () => {
    // given
    const { body } = await post('PlaceOrder', order);
    const orderId = body.aggregateId;
    await post('AddItem', { orderId, sku: 'PEN', quantity: 1, unitPrice: 2, expectedVersion: 1 });
    // when
    const response = await post('AddItem', { orderId, sku: 'INK', quantity: 1, unitPrice: 3, expectedVersion: 1 });
    // then
    expectProblem(response, 409, 'CONCURRENCY_CONFLICT');
    expect(response.body).toMatchObject({ expectedVersion: 1, currentVersion: 2, aggregateId: orderId });
  });

  it('answers an unexpected failure with 500 INTERNAL, no internals, and logs it with the correlation id', async () => {
    // given
    const headers = { 'x-correlation-id': 'bug-1' };
    // when
    const response = await post('Probe', { id: 'p-1', mode: 'crash' }, headers);
    // then
    expectProblem(response, 500, 'INTERNAL');
    expect(JSON.stringify(response.body)).not.toMatch(/secret internal detail|at .*\.ts/);
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 'error', correlationId: 'bug-1', error: expect.objectContaining({ message: 'secret internal detail' }) }),
    );
  });

  it('answers 503 when the event store is unavailable', async () => {
    // given
    env.db.close();
    // when
    const response = await post('CancelOrder', { orderId: 'o-1', reason: 'x' });
    // then
    expectProblem(response, 503, 'EVENT_STORE_UNAVAILABLE');
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

describe('GET /api/queries/orders', () => {
  async function placeOrders(customers: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const customerId of customers) ids.push((await post('PlaceOrder', { ...order, customerId })).body.aggregateId as string);
    return ids;
  }

  it('lists orders filtered by status and customer', async () => {
    // given
    const [first, second] = await placeOrders(['c-1', 'c-1', 'c-2']);
    await post('CancelOrder', { orderId: first, reason: 'x' });
    await project();
    // when
    const response = await get('/api/queries/orders?status=PLACED&customerId=c-1');
    // then
    expect(response.status).toBe(200);
    expect((response.body.items as Json[]).map((o) => o.orderId)).toEqual([second]);
    expect(response.body.items).toEqual([expect.objectContaining({ status: 'PLACED', customerId: 'c-1', total: { amount: 25, currency: 'EUR' }, version: 1 })]);
    expect(response.body.nextCursor).toBeUndefined();
  });

  it('sorts by total and pages with the cursor', async () => {
    // given
    const ids = await placeOrders(['a', 'b', 'c']);
    await post('AddItem', { orderId: ids[0], sku: 'GOLD', quantity: 1, unitPrice: 1000 });
    await post('AddItem', { orderId: ids[2], sku: 'SILVER', quantity: 1, unitPrice: 100 });
    await project();
    // when
    const first = await get('/api/queries/orders?sort=total&order=desc&limit=2');
    const second = await get(`/api/queries/orders?sort=total&order=desc&limit=2&cursor=${encodeURIComponent(first.body.nextCursor as string)}`);
    // then
    const seen = [...(first.body.items as Json[]), ...(second.body.items as Json[])].map((o) => o.orderId);
    expect(seen).toEqual([ids[0], ids[2], ids[1]]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it.each([
    ['an unknown status', 'status=SHIPPED', 'status', 'INVALID_QUERY_PARAMETER'],
    ['an unknown sort', 'sort=price', 'sort', 'INVALID_QUERY_PARAMETER'],
    ['an unknown order', 'order=up', 'order', 'INVALID_QUERY_PARAMETER'],
    ['a limit of 0', 'limit=0', 'limit', 'INVALID_QUERY_PARAMETER'],
    ['a limit over 100', 'limit=101', 'limit', 'INVALID_QUERY_PARAMETER'],
    ['a limit that is not a number', 'limit=ten', 'limit', 'INVALID_QUERY_PARAMETER'],
    ['an unknown parameter', 'colour=red', 'colour', 'UNKNOWN_QUERY_PARAMETER'],
    ['a repeated parameter', 'status=PLACED&status=CANCELLED', 'status', 'INVALID_QUERY_PARAMETER'],
    ['a cursor from nowhere', 'cursor=not-a-cursor', 'cursor', 'CURSOR_MALFORMED'],
  ])('answers %s with 400 naming the parameter', async (_case, query, field, code) => {
    // given an empty read model
    // when
    const response = await get(`/api/queries/orders?${query}`);
    // then
    expectProblem(response, 400, code, field);
  });

  it('answers 503 when the read model store is unavailable', async () => {
    // given
    readDb.close();
    // when
    const response = await get('/api/queries/orders');
    // then
    expectProblem(response, 503, 'READ_MODEL_UNAVAILABLE');
  });
});

describe('GET /api/queries/orders/:id', () => {
  it('returns the order document with its version', async () => {
    // given
    const { body } = await post('PlaceOrder', order);
    await post('ConfirmOrder', { orderId: body.aggregateId });
    await project();
    // when
    const response = await get(`/api/queries/orders/${String(body.aggregateId)}`);
    // then
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orderId: body.aggregateId, status: 'CONFIRMED', itemCount: 2, version: 2 });
  });

  it('answers 404 for an unknown order', async () => {
    // given an empty read model
    // when
    const response = await get('/api/queries/orders/unknown-1');
    // then
    expectProblem(response, 404, 'NOT_FOUND');
  });
});

describe('other routes', () => {
  it('reports health with the extra members', async () => {
    // given a running app
    // when
    const response = await get('/health');
    // then
    expect(response).toMatchObject({ status: 200, body: { status: 'ok', pipelines: 'running' } });
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    // given a running app
    // when
    const response = await get('/api/nowhere');
    // then
    expectProblem(response, 404, 'NOT_FOUND');
  });
});
