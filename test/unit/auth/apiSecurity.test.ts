import Database from 'better-sqlite3';
import { SqliteEventStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { CommandService } from '../../../core/command';
import { mintDevelopmentToken } from '../../../core/auth';
import { createApi } from '../../../core/http';
import { createJsonLogger } from '../../../core/logging/Logger';
import { collectionOptionsOf } from '../../../core/readmodel/ReadModelDeclaration';
import type { ReadModelCollection } from '../../../core/readmodel/ReadModelStore';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { ORDER_LIST_COLLECTION, orderAggregate, orderListReadModel, orderListReducer, orderUpcasters } from '../../../domain';
import type { OrderListItem } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { TEST_SECRET, bearer, securityFor } from './securedApi';

type Json = Record<string, unknown>;
type Response = { status: number; headers: Headers; body: Json };

let env: SchemaEnvironment;
let store: SqliteEventStore;
let readDb: Database.Database;
let orders: ReadModelCollection<OrderListItem>;
let upcasters: UpcasterRegistry;
let logLines: Json[];
let now: Date;
let app: ReturnType<typeof createApi>;
let closeSecurity: () => void;

beforeEach(async () => {
  env = await createSchemaEnvironment();
  now = new Date('2026-03-01T10:00:00.000Z');
  store = new SqliteEventStore(env.db, env.codec, { clock: () => now });
  readDb = new Database(':memory:');
  const readModelStore = new SqliteReadModelStore(readDb);
  orders = readModelStore.collection<OrderListItem>(ORDER_LIST_COLLECTION, collectionOptionsOf(orderListReadModel));
  upcasters = new UpcasterRegistry(orderUpcasters);
  logLines = [];
  const logger = createJsonLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Json) });
  const commands = new CommandService({ eventStore: store, codec: env.codec, upcasters, aggregates: [orderAggregate], logger, clock: () => now });
  const { security, close } = await securityFor(commands, [orderAggregate], logger, () => now);
  closeSecurity = close;
  app = createApi({ commands, readModels: [orderListReadModel], readModelStore, logger, security, history: { eventStore: store, codec: env.codec, upcasters, aggregate: orderAggregate } });
});

afterEach(() => {
  closeSecurity();
  env.db.close();
  readDb.close();
});

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  const response = await app.request(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : {} };
}

async function placeOrder(orderId: string, customerId: string): Promise<void> {
  const response = await call('POST', '/api/commands/PlaceOrder', await bearer(customerId, 'customer'), {
    orderId,
    customerId,
    items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 10 }],
  });
  expect(response.status).toBe(202);
}

/** Projects every stored event into the orders read model, as the order-list pipeline does. */
async function project(): Promise<void> {
  for (const stored of await store.readAll(0, 1000)) {
    const decoded = await env.codec.decode(stored.payload);
    const { payload } = upcasters.upcast(decoded.eventType, decoded.schemaVersion, decoded.payload);
    const current = await orders.get(stored.aggregateId);
    const next = orderListReducer(current?.data, { eventType: decoded.eventType, payload, envelope: stored });
    if (next) await orders.upsertIfNewer(stored.aggregateId, stored.aggregateVersion, next);
  }
}

function expectProblem(response: Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({ status, code, correlationId: response.headers.get('x-correlation-id') });
}

function denials(): Json[] {
  return logLines.filter((line) => line.message === 'access denied');
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}, 'missing'],
    ['a Basic header', { authorization: 'Basic YWxpY2U6c2VjcmV0' }, 'malformed'],
    ['a bearer that is not a JWT', { authorization: 'Bearer not-a-jwt' }, 'malformed'],
  ])('answers 401 to %s on every route but /health', async (_case, headers, reason) => {
    // given no valid token
    // when
    const responses = [
      await call('POST', '/api/commands/PlaceOrder', headers, { customerId: 'c', items: [] }),
      await call('GET', '/api/queries/orders', headers),
      await call('GET', '/api/queries/orders/o-1', headers),
      await call('GET', '/api/queries/temporal/orders/o-1?asOf=2026-01-01T00:00:00Z', headers),
      await call('GET', '/metrics', headers),
    ];
    // then
    for (const response of responses) {
      expectProblem(response, 401, 'UNAUTHENTICATED');
      expect(response.body.reason).toBe(reason);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect(await store.headPosition()).toBe(0);
  });

  it('answers 401 to an expired token', async () => {
    // given a token that expired an hour ago
    const token = await mintDevelopmentToken(TEST_SECRET, { subject: 'alice', roles: ['admin'], ttl: 60 }, new Date(Date.now() - 3_600_000));
    // when
    const response = await call('GET', '/api/queries/orders', { authorization: `Bearer ${token}` });
    // then
    expectProblem(response, 401, 'UNAUTHENTICATED');
    expect(response.body.reason).toBe('expired');
  });

  it('answers 401 to a token signed with another secret, and logs the denial', async () => {
    // given
    const token = await mintDevelopmentToken('another-secret-another-secret-another-1', { subject: 'mallory', roles: ['admin'] });
    // when
    const response = await call('GET', '/api/queries/orders', { authorization: `Bearer ${token}`, 'x-correlation-id': 'forged-1' });
    // then
    expectProblem(response, 401, 'UNAUTHENTICATED');
    expect(response.body.reason).toBe('invalid');
    expect(denials()).toContainEqual(expect.objectContaining({ subject: null, action: 'GET /api/queries/orders', correlationId: 'forged-1' }));
  });

  it('serves /health without a token', async () => {
    // given no token
    // when
    const response = await call('GET', '/health', {});
    // then
    expect(response.status).toBe(200);
  });
});

describe('authorization of commands', () => {
  it('answers 403 naming the missing permission when no role grants the command, and logs the denial', async () => {
    // given
    await placeOrder('order-1', 'alice');
    // when
    const response = await call('POST', '/api/commands/CancelOrder', { ...(await bearer('audrey', 'auditor')), 'x-correlation-id': 'deny-1' }, { orderId: 'order-1', reason: 'x' });
    // then
    expectProblem(response, 403, 'PERMISSION_DENIED');
    expect(response.body).toMatchObject({ permission: 'orders:cancel', action: 'command:CancelOrder' });
    expect(response.body.detail).toContain('orders:cancel');
    expect(denials()).toContainEqual(
      expect.objectContaining({ level: 'warn', subject: 'audrey', action: 'command:CancelOrder', correlationId: 'deny-1', permission: 'orders:cancel' }),
    );
    expect(await store.currentVersion('order-1')).toBe(1);
  });

  it('refuses a customer placing an order in another customer name', async () => {
    // given alice's token
    // when
    const response = await call('POST', '/api/commands/PlaceOrder', await bearer('alice', 'customer'), { customerId: 'bob', items: [] });
    // then
    expectProblem(response, 403, 'PERMISSION_DENIED');
    expect(response.body.permission).toBe('orders:place');
    expect(await store.headPosition()).toBe(0);
  });

  it('refuses a customer command on another customer order before anything is appended, read model or not', async () => {
    // given bob's order, not projected into the read model
    await placeOrder('order-bob', 'bob');
    // when
    const response = await call('POST', '/api/commands/AddItem', { ...(await bearer('alice', 'customer')), 'x-correlation-id': 'own-1' }, {
      orderId: 'order-bob',
      sku: 'PEN',
      quantity: 1,
      unitPrice: 1,
    });
    // then
    expectProblem(response, 403, 'PERMISSION_DENIED');
    expect(response.body).toMatchObject({ permission: 'orders:add-item', resourceId: 'order-bob' });
    expect(denials()).toContainEqual(expect.objectContaining({ subject: 'alice', resource: 'Order:order-bob', correlationId: 'own-1' }));
    expect(await store.currentVersion('order-bob')).toBe(1);
  });

  it('lets a customer change its own order right after placing it', async () => {
    // given
    await placeOrder('order-alice', 'alice');
    // when
    const response = await call('POST', '/api/commands/AddItem', await bearer('alice', 'customer'), { orderId: 'order-alice', sku: 'PEN', quantity: 1, unitPrice: 1 });
    // then
    expect(response.status).toBe(202);
    expect(await store.currentVersion('order-alice')).toBe(2);
  });

  it('lets support cancel any customer order', async () => {
    // given
    await placeOrder('order-bob', 'bob');
    // when
    const response = await call('POST', '/api/commands/CancelOrder', await bearer('sam', 'support'), { orderId: 'order-bob', reason: 'requested by phone' });
    // then
    expect(response.status).toBe(202);
  });

  it('still answers 422 to an invalid body from a customer', async () => {
    // given alice's token
    // when
    const response = await call('POST', '/api/commands/AddItem', await bearer('alice', 'customer'), { orderId: 'o-1', sku: 'PEN', quantity: 0, unitPrice: 1 });
    // then
    expectProblem(response, 422, 'INVALID_COMMAND');
  });
});

describe('authorization of queries', () => {
  beforeEach(async () => {
    await placeOrder('order-alice', 'alice');
    await placeOrder('order-bob', 'bob');
    await project();
  });

  it('lets a customer read its own order', async () => {
    // given the projected orders
    // when
    const response = await call('GET', '/api/queries/orders/order-alice', await bearer('alice', 'customer'));
    // then
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orderId: 'order-alice', customerId: 'alice' });
  });

  it('refuses a customer reading another customer order', async () => {
    // given the projected orders
    // when
    const response = await call('GET', '/api/queries/orders/order-bob', await bearer('alice', 'customer'));
    // then
    expectProblem(response, 403, 'PERMISSION_DENIED');
    expect(response.body).toMatchObject({ permission: 'orders:read', resourceId: 'order-bob' });
    expect(JSON.stringify(response.body)).not.toContain('BOOK-1');
  });

  it('lists only the customer own orders when no customerId is given', async () => {
    // given the projected orders
    // when
    const response = await call('GET', '/api/queries/orders', await bearer('alice', 'customer'));
    // then
    expect(response.status).toBe(200);
    expect((response.body.items as Json[]).map((item) => item.orderId)).toEqual(['order-alice']);
  });

  it('refuses a customer listing another customer orders', async () => {
    // given the projected orders
    // when
    const response = await call('GET', '/api/queries/orders?customerId=bob', await bearer('alice', 'customer'));
    // then
    expectProblem(response, 403, 'PERMISSION_DENIED');
  });

  it('lets support list every order', async () => {
    // given the projected orders
    // when
    const response = await call('GET', '/api/queries/orders', await bearer('sam', 'support'));
    // then
    expect((response.body.items as Json[]).map((item) => item.orderId).sort()).toEqual(['order-alice', 'order-bob']);
  });
});

describe('GET /api/queries/temporal/orders/:id', () => {
  beforeEach(async () => {
    // given: placed at 10:00, an item added at 11:00, cancelled at 12:00
    await placeOrder('order-1', 'alice');
    now = new Date('2026-03-01T11:00:00.000Z');
    await call('POST', '/api/commands/AddItem', await bearer('alice', 'customer'), { orderId: 'order-1', sku: 'PEN', quantity: 2, unitPrice: 1 });
    now = new Date('2026-03-01T12:00:00.000Z');
    await call('POST', '/api/commands/CancelOrder', await bearer('alice', 'customer'), { orderId: 'order-1', reason: 'x' });
    now = new Date('2026-03-01T12:30:00.000Z');
  });

  it('lets an auditor see the order as it was at a past time', async () => {
    // given an auditor
    const auditor = await bearer('audrey', 'auditor');
    // when
    const response = await call('GET', '/api/queries/temporal/orders/order-1?asOf=2026-03-01T11:30:00Z', auditor);
    // then
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      aggregateId: 'order-1',
      asOf: '2026-03-01T11:30:00.000Z',
      version: 2,
      state: { status: 'PLACED', customerId: 'alice', lines: [{ sku: 'BOOK-1' }, { sku: 'PEN', quantity: 2 }] },
    });
  });

  it('lists the changes since a time when asked', async () => {
    // given an auditor
    const auditor = await bearer('audrey', 'auditor');
    // when
    const response = await call('GET', '/api/queries/temporal/orders/order-1?asOf=2026-03-01T12:00:00Z&since=2026-03-01T10:30:00Z', auditor);
    // then
    expect(response.body.state).toMatchObject({ status: 'CANCELLED' });
    expect((response.body.changes as Json[]).map((change) => change.eventType)).toEqual(['OrderItemAdded', 'OrderCancelled']);
  });

  it('refuses a customer, even on its own order', async () => {
    // given alice, who owns the order
    // when
    const response = await call('GET', '/api/queries/temporal/orders/order-1?asOf=2026-03-01T11:30:00Z', await bearer('alice', 'customer'));
    // then
    expectProblem(response, 403, 'PERMISSION_DENIED');
    expect(response.body.permission).toBe('orders:read-history');
  });

  it.each([
    ['no asOf', '', 'asOf'],
    ['an asOf without a zone', '?asOf=2026-03-01T11:30:00', 'asOf'],
    ['a range over 90 days', '?asOf=2026-03-01T11:30:00Z&since=2025-11-01T00:00:00Z', 'since'],
    ['since after asOf', '?asOf=2026-03-01T11:30:00Z&since=2026-03-02T00:00:00Z', 'since'],
  ])('answers %s with 400 naming the parameter', async (_case, query, field) => {
    // given an auditor
    const auditor = await bearer('audrey', 'auditor');
    // when
    const response = await call('GET', `/api/queries/temporal/orders/order-1${query}`, auditor);
    // then
    expectProblem(response, 400, 'INVALID_QUERY_PARAMETER');
    expect(response.body.field).toBe(field);
  });

  it('answers 404 for an order that did not exist yet', async () => {
    // given an auditor
    const auditor = await bearer('audrey', 'auditor');
    // when
    const response = await call('GET', '/api/queries/temporal/orders/order-1?asOf=2026-03-01T09:00:00Z', auditor);
    // then
    expectProblem(response, 404, 'NOT_FOUND');
  });

  it('answers the 11th query of a client in a minute with 429 and Retry-After, then allows it in the next minute', async () => {
    // given ten queries at 12:30:15
    now = new Date('2026-03-01T12:30:15.000Z');
    const auditor = await bearer('audrey', 'auditor');
    const path = '/api/queries/temporal/orders/order-1?asOf=2026-03-01T11:30:00Z';
    for (let i = 0; i < 10; i += 1) expect((await call('GET', path, auditor)).status).toBe(200);
    // when
    const eleventh = await call('GET', path, { ...auditor, 'x-correlation-id': 'burst-11' });
    const otherClient = await call('GET', path, await bearer('ada', 'auditor'));
    now = new Date('2026-03-01T12:31:00.000Z');
    const nextMinute = await call('GET', path, auditor);
    // then
    expectProblem(eleventh, 429, 'RATE_LIMITED');
    expect(eleventh.headers.get('retry-after')).toBe('45');
    expect(eleventh.body).toMatchObject({ limit: 10, windowSeconds: 60, retryAfterSeconds: 45, rateLimit: 'temporal-queries' });
    expect(denials()).toContainEqual(expect.objectContaining({ subject: 'audrey', rule: 'temporal-queries', correlationId: 'burst-11' }));
    expect(otherClient.status).toBe(200);
    expect(nextMinute.status).toBe(200);
  });

  it('does not limit the other queries', async () => {
    // given an admin
    const admin = await bearer('root', 'admin');
    // when
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await call('GET', '/api/queries/orders', admin)).status);
    // then
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});
