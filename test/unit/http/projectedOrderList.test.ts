/**
 * Issue 11, tests: what the order-list pipeline projects is what the query API shows. A v1
 * `OrderPlaced` written while v1 was the only schema shows in lists (upcast to v2), and an
 * out-of-order duplicate never overwrites newer state. The real pipeline (pipelines/order-list.ts)
 * runs over records encoded with the real codec into the API's SQLite read model.
 */
import type { SourceRecord } from '../../../core/streams/RecordSource';
import orderList from '../../../pipelines/order-list';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { bearer } from '../auth/securedApi';
import { orderPayload, orderRecord } from '../operators/pipelineFixtures';
import { answerOf, createTestApi } from './apiFixture';
import type { Json, TestApi } from './apiFixture';
import { registryBeforeOrderPlacedV2 } from './registryBeforeOrderPlacedV2';
import type { RegistryBeforeOrderPlacedV2 } from './registryBeforeOrderPlacedV2';

let api: TestApi;
let registry: RegistryBeforeOrderPlacedV2;
let current: SchemaEnvironment;
let admin: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
});

beforeEach(async () => {
  registry = await registryBeforeOrderPlacedV2();
  api = await createTestApi();
});

afterEach(() => {
  api.close();
  registry.close();
});

/** Registers OrderPlaced v2, as a later release does; the pipeline decodes with it from then on. */
async function releaseV2(): Promise<SchemaEnvironment> {
  current = await registry.releaseV2();
  return current;
}

/** Runs the order-list pipeline over `records`, in order, into the API's read model. */
async function project(records: readonly SourceRecord[]): Promise<void> {
  await registry.project(orderList, current, api.readModelStore, records);
}

async function get(path: string): Promise<{ status: number; body: Json }> {
  return answerOf(await api.app.request(path, { headers: admin }));
}

describe('the order list', () => {
  it('shows a v1 OrderPlaced written before v2 existed, upcast to v2, beside a v2 one', async () => {
    // given a v1 OrderPlaced (flat totalAmount) written when v1 was the latest schema
    const v1Payload = { orderId: 'order-v1', customerId: 'customer-1', items: [{ sku: 'BOOK', quantity: 3, unitPrice: 14 }], totalAmount: 42 };
    const old = await orderRecord(registry.v1Only.codec, { aggregateId: 'order-v1', payload: v1Payload, position: 1 });
    // and, after v2 was released, a v2 one
    const latest = await releaseV2();
    const recent = await orderRecord(latest.codec, { aggregateId: 'order-v2', payload: orderPayload('OrderPlaced', 'order-v2'), position: 2 });
    // when the pipeline projects both
    await project([old, recent]);
    const list = await get('/api/queries/orders?sort=total&order=desc');
    const filtered = await get('/api/queries/orders?totalAmount[gte]=40');
    // then the v1 order is listed with its total in USD, sorted and filtered by it
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ orderId: 'order-v1', status: 'PLACED', itemCount: 3, total: { amount: 42, currency: 'USD' }, totalAmount: 42, version: 1 }),
      expect.objectContaining({ orderId: 'order-v2', total: { amount: 10, currency: 'USD' }, totalAmount: 10, version: 1 }),
    ]);
    expect((filtered.body.items as Json[]).map((item) => item.orderId)).toEqual(['order-v1']);
  });

  it('never lets an out-of-order duplicate overwrite newer state', async () => {
    // given an order placed, given an item, then cancelled
    const codec = (await releaseV2()).codec;
    const placed = await orderRecord(codec, { aggregateId: 'order-1', aggregateVersion: 1, position: 1 });
    const itemAdded = await orderRecord(codec, { aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderItemAdded', position: 2 });
    const cancelled = await orderRecord(codec, { aggregateId: 'order-1', aggregateVersion: 3, eventType: 'OrderCancelled', position: 3 });
    await project([placed, itemAdded, cancelled]);
    const before = await get('/api/queries/orders/order-1');
    // when the item and the placement are delivered again, late and out of order
    await project([itemAdded, placed]);
    // then the order is still cancelled at version 3, in the get and in the list
    const after = await get('/api/queries/orders/order-1');
    const cancelledOrders = await get('/api/queries/orders?status=CANCELLED');
    expect(before.body).toMatchObject({ status: 'CANCELLED', version: 3, itemCount: 3 });
    expect(after.body).toEqual(before.body);
    expect(cancelledOrders.body.items).toEqual([before.body]);
  });
});
