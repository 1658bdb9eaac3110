/**
 * Issue 11, tests: a v1 `OrderPlaced` written while v1 was the only schema is found by full-text
 * search, upcast to v2. The shipped order list declares no full-text field (write cost), so the
 * read model searched here is the order list's declaration with `customerId` made full-text,
 * projected by the real order-list reducer through a pipeline built as pipelines/order-list.ts is,
 * over records encoded with the real codec, into the API's SQLite read model.
 */
import { definePipeline } from '../../../core/pipeline/PipelineDefinition';
import { defineReadModel } from '../../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../../../domain';
import { orderListPipe } from '../../../pipelines/order-list';
import { bearer } from '../auth/securedApi';
import { orderPayload, orderRecord } from '../operators/pipelineFixtures';
import { answerOf, createTestApi } from './apiFixture';
import type { Json, TestApi } from './apiFixture';
import { registryBeforeOrderPlacedV2 } from './registryBeforeOrderPlacedV2';
import type { RegistryBeforeOrderPlacedV2 } from './registryBeforeOrderPlacedV2';

/** The order list, declared again with the customer id searchable (queries need `orders:read`). */
const searchableOrders = defineReadModel({
  ...orderListReadModel,
  resourceType: 'searchable-orders',
  permission: 'orders',
  fields: { ...orderListReadModel.fields, customerId: { type: 'string', filterable: true, fullText: true } },
});

/** The order list's pipe (pipelines/order-list.ts), writing {@link searchableOrders}. */
const searchableOrderList = definePipeline({ name: 'searchable-order-list', source: 'core', pipe: orderListPipe(searchableOrders) });

let api: TestApi;
let registry: RegistryBeforeOrderPlacedV2;
let admin: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
});

beforeEach(async () => {
  registry = await registryBeforeOrderPlacedV2();
  api = await createTestApi({}, [searchableOrders]);
});

afterEach(() => {
  api.close();
  registry.close();
});

async function search(q: string): Promise<{ status: number; body: Json }> {
  return answerOf(await api.app.request(`/api/queries/searchable-orders/search?q=${encodeURIComponent(q)}`, { headers: admin }));
}

const orderIdsOf = (body: Json): unknown[] => (body.items as Json[]).map((item) => item.orderId);

describe('searching orders', () => {
  it('finds a v1 OrderPlaced written before v2 existed, upcast to v2, with the matched field highlighted', async () => {
    // given a v1 OrderPlaced (flat totalAmount) written when v1 was the latest schema
    const v1Payload = { orderId: 'order-v1', customerId: 'customer-lovelace', items: [{ sku: 'BOOK', quantity: 3, unitPrice: 14 }], totalAmount: 42 };
    const old = await orderRecord(registry.v1Only.codec, { aggregateId: 'order-v1', payload: v1Payload, position: 1 });
    // and, after v2 was released, a v2 one of customer-1
    const latest = await registry.releaseV2();
    const recent = await orderRecord(latest.codec, { aggregateId: 'order-v2', payload: orderPayload('OrderPlaced', 'order-v2'), position: 2 });
    // when the pipeline projects both and the customer id is searched
    await registry.project(searchableOrderList, latest, api.readModelStore, [old, recent]);
    const byName = await search('lovelace');
    const byWord = await search('customer');
    // then the v1 order is found with its total in the v2 shape, the customer id highlighted
    expect(byName.status).toBe(200);
    const items = byName.body.items as Json[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ orderId: 'order-v1', customerId: 'customer-lovelace', status: 'PLACED', itemCount: 3, total: { amount: 42, currency: 'USD' }, totalAmount: 42, version: 1 });
    const highlights = items[0]?.highlights as Record<string, string[]>;
    expect(Object.keys(highlights)).toEqual(['customerId']);
    expect(highlights.customerId?.[0]).toContain('<mark>lovelace</mark>');
    // and a word both customer ids share finds the v1 order beside the v2 one
    expect(byWord.status).toBe(200);
    expect(orderIdsOf(byWord.body).sort()).toEqual(['order-v1', 'order-v2']);
  });
});
