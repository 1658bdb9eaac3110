import Database from 'better-sqlite3';
import { SqliteRateLimitStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { AccessGuard } from '../../../core/auth';
import { createJsonLogger } from '../../../core/logging/Logger';
import { SubscriptionAuthorizer, subscriptionMatches } from '../../../core/notifications/SubscriptionAuthorizer';
import { collectionOf, collectionOptionsOf, defineReadModel } from '../../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../../../domain';
import { RUNTIME_POLICY } from '../auth/securedApi';

const alice = { id: 'alice', roles: ['customer'], clientId: 'alice' };
const support = { id: 'sam', roles: ['support'], clientId: 'sam' };
/** A read model nobody owns, readable with the orders permission. */
const ownerless = defineReadModel({ resourceType: 'order-stats', documentType: 'order-stat', permission: 'orders', fields: { count: { type: 'integer' } } });

let db: Database.Database;
let authorizer: SubscriptionAuthorizer;

beforeEach(async () => {
  db = new Database(':memory:');
  const store = new SqliteReadModelStore(db);
  const logger = createJsonLogger({ level: 'error', write: () => undefined });
  const guard = new AccessGuard({ authorizer: await OpaWasmAuthorizer.fromFile(RUNTIME_POLICY), rateLimits: new SqliteRateLimitStore(db), logger });
  const orders = store.collection(collectionOf(orderListReadModel), collectionOptionsOf(orderListReadModel));
  await orders.upsertIfNewer('order-a', 3, { orderId: 'order-a', customerId: 'alice', status: 'PLACED' });
  await orders.upsertIfNewer('order-b', 2, { orderId: 'order-b', customerId: 'bob', status: 'PLACED' });
  authorizer = new SubscriptionAuthorizer({ readModels: [orderListReadModel, ownerless], store, guard });
});

afterEach(() => db.close());

const change = (id: string, owner: string | undefined): { resourceType: string; id: string; version: number; eventId: string; owner?: string } => ({
  resourceType: 'orders',
  id,
  version: 4,
  eventId: 'e-1',
  ...(owner === undefined ? {} : { owner }),
});

describe('SubscriptionAuthorizer', () => {
  it("limits a customer's resource-type subscription to its own documents, by the policy's own scope", async () => {
    // given / when a customer subscribes to every order
    const { subscription } = await authorizer.authorize(alice, { type: 'subscribe', subscriptionId: 's1', resourceType: 'orders' }, 'c-1');
    // then it matches its own orders only
    expect(subscription).toEqual({ subscriptionId: 's1', resourceType: 'orders', ownerOnly: 'alice' });
    expect(subscriptionMatches(subscription, change('order-a', 'alice'))).toBe(true);
    expect(subscriptionMatches(subscription, change('order-b', 'bob'))).toBe(false);
    expect(subscriptionMatches(subscription, change('order-c', undefined))).toBe(false);
  });

  it('gives a grant on any resource every document of the type', async () => {
    // given / when support subscribes to every order
    const { subscription } = await authorizer.authorize(support, { type: 'subscribe', subscriptionId: 's1', resourceType: 'orders' }, 'c-1');
    // then it matches every order, and no other resource type
    expect(subscriptionMatches(subscription, change('order-b', 'bob'))).toBe(true);
    expect(subscriptionMatches(subscription, { ...change('x', 'bob'), resourceType: 'invoices' })).toBe(false);
  });

  it("refuses a one-document subscription to another customer's document, as GET does", async () => {
    // given / when alice subscribes to bob's order
    const subscribing = authorizer.authorize(alice, { type: 'subscribe', subscriptionId: 's1', resourceType: 'orders', id: 'order-b' }, 'c-1');
    // then
    await expect(subscribing).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('answers a one-document subscription with a stale lastVersion with the current version at once', async () => {
    // given alice saw version 1 of her order, which is at version 3
    // when she subscribes with it
    const { subscription, catchUp } = await authorizer.authorize(alice, { type: 'subscribe', subscriptionId: 's1', resourceType: 'orders', id: 'order-a', lastVersion: 1 }, 'c-1');
    // then
    expect(subscription).toEqual({ subscriptionId: 's1', resourceType: 'orders', id: 'order-a', ownerOnly: 'alice' });
    expect(catchUp).toEqual({ type: 'changed', subscriptionId: 's1', resourceType: 'orders', id: 'order-a', version: 3, owner: 'alice' });
  });

  it('sends no catch-up when the client already has the current version', async () => {
    // given / when
    const { catchUp } = await authorizer.authorize(alice, { type: 'subscribe', subscriptionId: 's1', resourceType: 'orders', id: 'order-a', lastVersion: 3 }, 'c-1');
    // then
    expect(catchUp).toBeUndefined();
  });

  it('refuses an own-scoped subscription to a document that does not exist (its owner is unknown)', async () => {
    // given / when
    const subscribing = authorizer.authorize(alice, { type: 'subscribe', subscriptionId: 's1', resourceType: 'orders', id: 'order-z' }, 'c-1');
    // then
    await expect(subscribing).rejects.toMatchObject({ code: 'NOT_FOUND', details: { field: 'id' } });
  });

  it('refuses an unknown resource type naming the field', async () => {
    // given / when
    const subscribing = authorizer.authorize(support, { type: 'subscribe', subscriptionId: 's1', resourceType: 'invoices' }, 'c-1');
    // then
    await expect(subscribing).rejects.toMatchObject({ code: 'UNKNOWN_RESOURCE_TYPE', details: { field: 'resourceType' } });
  });

  it('refuses an own-scoped grant on a read model without an owner field, as the list route does', async () => {
    // given / when
    const subscribing = authorizer.authorize(alice, { type: 'subscribe', subscriptionId: 's1', resourceType: 'order-stats' }, 'c-1');
    // then
    await expect(subscribing).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});
