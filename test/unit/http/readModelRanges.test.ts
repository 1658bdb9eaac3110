/**
 * Issue 11, part 5: range filters `field[gt|gte|lt|lte]=` on number, integer and timestamp
 * fields of a declared read model, beside equality filters, sorts and cursors.
 */
import { bearer } from '../auth/securedApi';
import { createTestApi } from './apiFixture';
import type { Json, TestApi } from './apiFixture';
import { getAs, shipment, shipmentNumbersOf, shipmentsApi } from './shipmentsFixture';

let api: TestApi;
let admin: Record<string, string>;
let alice: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  alice = await bearer('alice', 'customer');
});

beforeEach(async () => {
  // s-1..s-6: weightKg 1.5 x n, parcels n, shipped on March n, declaredValue 100 x n
  api = await shipmentsApi(6);
});

afterEach(() => api.close());

async function numbers(query: string, headers = admin): Promise<number[]> {
  const answer = await getAs(api, `/api/queries/shipments?${query}`, headers);
  expect(answer.status).toBe(200);
  return shipmentNumbersOf(answer.body);
}

describe('a range filter', () => {
  it.each([
    ['a number, inclusive', 'weightKg[gte]=4.5', [3, 4, 5, 6]],
    ['a number, exclusive', 'weightKg[gt]=4.5', [4, 5, 6]],
    ['a number, both sides', 'weightKg[gt]=1.5&weightKg[lte]=6', [2, 3, 4]],
    ['an integer', 'parcels[lt]=3', [1, 2]],
    ['a sortable field that is not filterable', 'declaredValue[gte]=500', [5, 6]],
    ['a timestamp', 'shippedAt[gte]=2026-03-05T10:00:00.000Z', [5, 6]],
    ['a timestamp without milliseconds', 'shippedAt[lt]=2026-03-03T10:00:00Z', [1, 2]],
    ['a timestamp in another zone', 'shippedAt[lte]=2026-03-02T12:00:00%2B02:00', [1, 2]],
    ['a timestamp finer than milliseconds', 'shippedAt[gte]=2026-03-05T10:00:00.0000001Z', [6]],
    ['a range and an equality', 'weightKg[lt]=8&customerId=alice', [1, 3, 5]],
  ])('on %s keeps the documents within it', async (_case, query, expected) => {
    // given six shipments
    // when
    const found = await numbers(query);
    // then
    expect(found).toEqual(expected);
  });

  it('never matches a document whose value is missing or of another type', async () => {
    // given a shipment without a weight and one whose weight is text
    const collection = api.readModelStore.collection('shipments');
    await collection.upsertIfNewer('s-7', 1, shipment(7, { weightKg: null }));
    await collection.upsertIfNewer('s-8', 1, shipment(8, { weightKg: 'heavy' }));
    // when
    const heavy = await numbers('weightKg[gt]=0');
    // then
    expect(heavy).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('pages with cursors in the requested order, the limit free to change', async () => {
    // given six shipments
    // when paging by weight, descending, first two then one at a time
    const seen: number[] = [];
    let path = '/api/queries/shipments?weightKg[gte]=3&sort=weightKg&order=desc&limit=2';
    for (let page = 0; page < 10; page += 1) {
      const answer = await getAs(api, path, admin);
      seen.push(...shipmentNumbersOf(answer.body));
      const next = answer.body.nextCursor as string | undefined;
      if (next === undefined) break;
      path = `/api/queries/shipments?weightKg[gte]=3&sort=weightKg&order=desc&limit=1&cursor=${encodeURIComponent(next)}`;
    }
    // then every match once, heaviest first
    expect(seen).toEqual([6, 5, 4, 3, 2]);
  });

  it('under a grant on own documents lists the caller\'s documents within the range', async () => {
    // given alice, a customer, who owns s-1, s-3, s-5
    // when
    const found = await numbers('shippedAt[gt]=2026-03-01T10:00:00.000Z', alice);
    // then
    expect(found).toEqual([3, 5]);
  });

  it('serves the shipped order list by total and creation time', async () => {
    // given three orders in the order list's own layout
    const orders = await createTestApi();
    const collection = orders.readModelStore.collection('orders');
    const order = (n: number, totalAmount: number, createdAt: string): Json => ({ orderId: `o-${n}`, customerId: 'c', status: 'PLACED', items: [], itemCount: 0, total: { amount: totalAmount, currency: 'EUR' }, totalAmount, createdAt, updatedAt: createdAt });
    await collection.upsertIfNewer('o-1', 1, order(1, 50, '2025-12-31T12:00:00.000Z'));
    await collection.upsertIfNewer('o-2', 1, order(2, 150, '2025-12-31T13:00:00.000Z'));
    await collection.upsertIfNewer('o-3', 1, order(3, 250, '2026-01-02T12:00:00.000Z'));
    // when
    const answer = await getAs(orders, '/api/queries/orders?totalAmount[gte]=100&createdAt[lt]=2026-01-01T00:00:00Z', admin);
    orders.close();
    // then
    expect((answer.body.items as Json[]).map((item) => item.orderId)).toEqual(['o-2']);
  });
});
