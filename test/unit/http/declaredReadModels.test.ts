/**
 * Issue 11, part 1 (and the query problems of part 5): a read model declared here, in the test,
 * is served by createApi without touching core/ — list, filters, sort, paging, get, the owner
 * of `own`-scoped grants, a read model without owner — and every refused query is a problem
 * document naming the parameter. Documents are written straight into the SQLite store.
 */
import { defineReadModel, ReadModelDeclarationError } from '../../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../../../domain';
import { readModels as shippedReadModels } from '../../../pipelines';
import { bearer } from '../auth/securedApi';
import { answerOf, createTestApi, expectNoErrorLogs, expectProblem } from './apiFixture';
import type { Json, TestApi } from './apiFixture';

/** Owned by a customer; its queries need `orders:read`, which customers hold on their own only. */
const shipments = defineReadModel({
  resourceType: 'shipments',
  documentType: 'shipment',
  permission: 'orders',
  ownerField: 'customerId',
  fields: {
    customerId: { type: 'string', filterable: true },
    carrier: { type: 'string', filterable: true, values: ['DHL', 'UPS'] },
    weightKg: { type: 'number', filterable: true, sortable: true },
    parcels: { type: 'integer', filterable: true },
    express: { type: 'boolean', filterable: true },
    shippedAt: { type: 'timestamp', filterable: true, sortable: true },
    note: { type: 'string' },
  },
  defaultSort: { field: 'shippedAt', direction: 'desc' },
  compositeIndexes: [['customerId', 'shippedAt']],
});

/** Nobody owns a stock level: only `any` grants read it. */
const stockLevels = defineReadModel({
  resourceType: 'stock-levels',
  documentType: 'stock-level',
  permission: 'orders',
  fields: { sku: { type: 'string', filterable: true }, quantity: { type: 'integer', sortable: true } },
});

const SHIPMENTS = [
  { id: 's-1', data: { customerId: 'alice', carrier: 'DHL', weightKg: 2.5, parcels: 1, express: false, shippedAt: '2026-03-01T10:00:00.000Z', note: 'fragile' } },
  { id: 's-2', data: { customerId: 'bob', carrier: 'UPS', weightKg: 12, parcels: 3, express: true, shippedAt: '2026-03-02T10:00:00.000Z', note: '' } },
  { id: 's-3', data: { customerId: 'alice', carrier: 'UPS', weightKg: 0.5, parcels: 1, express: true, shippedAt: '2026-03-03T10:00:00.000Z', note: '' } },
];

let api: TestApi;
let admin: Record<string, string>;
let alice: Record<string, string>;
let support: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  alice = await bearer('alice', 'customer');
  support = await bearer('sam', 'support');
});

beforeEach(async () => {
  api = await createTestApi({}, [orderListReadModel, shipments, stockLevels]);
  for (const { id, data } of SHIPMENTS) await api.readModelStore.collection('shipments').upsertIfNewer(id, 1, data);
  await api.readModelStore.collection('stock-levels').upsertIfNewer('BOOK-1', 4, { sku: 'BOOK-1', quantity: 7 });
});

afterEach(() => api.close());

async function get(path: string, headers: Record<string, string> = admin): Promise<Awaited<ReturnType<typeof answerOf>>> {
  return answerOf(await api.app.request(path, { headers }));
}

function shippedAtOf(body: Json): unknown[] {
  return (body.items as Json[]).map((item) => item.shippedAt);
}

describe('a read model declared outside core', () => {
  it('is listed at /api/queries/{resourceType} in its declared default order, each document with its version', async () => {
    // given the three shipments
    // when
    const answer = await get('/api/queries/shipments');
    // then
    expect(answer.status).toBe(200);
    expect(shippedAtOf(answer.body)).toEqual(['2026-03-03T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-01T10:00:00.000Z']);
    expect((answer.body.items as Json[])[0]).toEqual({ ...SHIPMENTS[2]?.data, version: 1 });
    expect(answer.body.nextCursor).toBeUndefined();
  });

  it.each([
    ['a string field', 'carrier=UPS', ['2026-03-03T10:00:00.000Z', '2026-03-02T10:00:00.000Z']],
    ['a number field', 'weightKg=2.5', ['2026-03-01T10:00:00.000Z']],
    ['an integer field', 'parcels=3', ['2026-03-02T10:00:00.000Z']],
    ['a boolean field', 'express=false', ['2026-03-01T10:00:00.000Z']],
    ['a timestamp field', 'shippedAt=2026-03-02T10:00:00.000Z', ['2026-03-02T10:00:00.000Z']],
    ['two fields at once', 'carrier=UPS&customerId=alice', ['2026-03-03T10:00:00.000Z']],
  ])('filters by equality on %s', async (_case, query, expected) => {
    // given the three shipments
    // when
    const answer = await get(`/api/queries/shipments?${query}`);
    // then
    expect(answer.status).toBe(200);
    expect(shippedAtOf(answer.body)).toEqual(expected);
  });

  it('sorts by a sortable field and pages with the cursor', async () => {
    // given the three shipments
    // when
    const first = await get('/api/queries/shipments?sort=weightKg&order=asc&limit=2');
    const second = await get(`/api/queries/shipments?sort=weightKg&order=asc&limit=2&cursor=${encodeURIComponent(first.body.nextCursor as string)}`);
    // then
    const weights = [...(first.body.items as Json[]), ...(second.body.items as Json[])].map((item) => item.weightKg);
    expect(weights).toEqual([0.5, 2.5, 12]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('sorts by id', async () => {
    // given the three shipments
    // when
    const answer = await get('/api/queries/shipments?sort=id&order=desc');
    // then
    expect(shippedAtOf(answer.body)).toEqual(['2026-03-03T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-01T10:00:00.000Z']);
  });

  it('returns one document at /api/queries/{resourceType}/{id}', async () => {
    // given the three shipments
    // when
    const answer = await get('/api/queries/shipments/s-2');
    // then
    expect(answer).toMatchObject({ status: 200, body: { ...SHIPMENTS[1]?.data, version: 1 } });
  });

  it('answers a missing document with 404 NOT_FOUND naming its id', async () => {
    // given no shipment s-9
    // when
    const answer = await get('/api/queries/shipments/s-9');
    // then
    expectProblem(answer, 404, 'NOT_FOUND');
    expect(answer.body).toMatchObject({ shipmentId: 's-9', detail: 'shipment s-9 not found' });
  });

  it('serves a second declared read model, with its own default sort (id)', async () => {
    // given a stock level
    // when
    const list = await get('/api/queries/stock-levels');
    const one = await get('/api/queries/stock-levels/BOOK-1');
    // then
    expect(list.body).toEqual({ items: [{ sku: 'BOOK-1', quantity: 7, version: 4 }] });
    expect(one.body).toEqual({ sku: 'BOOK-1', quantity: 7, version: 4 });
  });

  it('answers another method on its paths with 405 and Allow', async () => {
    // given
    // when
    const answer = await answerOf(await api.app.request('/api/queries/shipments', { method: 'POST', headers: admin }));
    // then
    expectProblem(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the owner field of a declared read model', () => {
  it('restricts the list of a grant on own documents to the caller\'s', async () => {
    // given alice (customer: orders:read on her own) and shipments of alice and bob
    // when
    const answer = await get('/api/queries/shipments', alice);
    // then
    expect(answer.status).toBe(200);
    expect((answer.body.items as Json[]).map((item) => item.customerId)).toEqual(['alice', 'alice']);
  });

  it('refuses a grant on own documents a list filtered on another owner (403)', async () => {
    // given
    // when
    const answer = await get('/api/queries/shipments?customerId=bob', alice);
    // then
    expectProblem(answer, 403, 'PERMISSION_DENIED');
    expect(answer.body).toMatchObject({ permission: 'orders:read' });
  });

  it('lets a grant on own documents read its own document and no other', async () => {
    // given
    // when
    const own = await get('/api/queries/shipments/s-1', alice);
    const other = await get('/api/queries/shipments/s-2', alice);
    // then
    expect(own.status).toBe(200);
    expectProblem(other, 403, 'PERMISSION_DENIED');
  });

  it('lets a grant on any document list everyone\'s', async () => {
    // given sam (support: orders:read on any)
    // when
    const answer = await get('/api/queries/shipments', support);
    // then
    expect((answer.body.items as Json[]).map((item) => item.customerId)).toEqual(['alice', 'bob', 'alice']);
  });

  it('without an owner field, gives a grant on own documents nothing (403) and a grant on any all', async () => {
    // given stock levels, which nobody owns
    // when
    const ownList = await get('/api/queries/stock-levels', alice);
    const ownGet = await get('/api/queries/stock-levels/BOOK-1', alice);
    const anyList = await get('/api/queries/stock-levels', support);
    // then
    expectProblem(ownList, 403, 'PERMISSION_DENIED');
    expectProblem(ownGet, 403, 'PERMISSION_DENIED');
    expect(anyList.status).toBe(200);
  });

  it('needs the declared permission: a role without it is refused (403)', async () => {
    // given a subject whose only role grants no orders:read
    const nobody = await bearer('zed', 'guest');
    // when
    const answer = await get('/api/queries/shipments', nobody);
    // then
    expectProblem(answer, 403, 'PERMISSION_DENIED');
    expect(answer.body).toMatchObject({ permission: 'orders:read' });
  });
});

describe('a refused query', () => {
  it.each([
    ['/api/queries/parcels', 'a list'],
    ['/api/queries/parcels/p-1', 'a get'],
  ])('of an unknown resource type (%s, %s) is 404 UNKNOWN_RESOURCE_TYPE naming resourceType', async (path) => {
    // given no read model "parcels"
    // when
    const answer = await get(path);
    // then
    expectProblem(answer, 404, 'UNKNOWN_RESOURCE_TYPE', 'resourceType');
    expect(answer.body).toMatchObject({ resourceType: 'parcels' });
    expectNoErrorLogs(api.logLines);
  });

  it.each([
    ['a value outside the declared values', 'carrier=FEDEX', 'carrier'],
    ['a number field given text', 'weightKg=abc', 'weightKg'],
    ['an integer field given a fraction', 'parcels=1.5', 'parcels'],
    ['a boolean field given yes', 'express=yes', 'express'],
    ['a timestamp field given a date without time', 'shippedAt=2026-03-01', 'shippedAt'],
    ['an empty string filter', 'customerId=', 'customerId'],
    ['a string filter over 128 characters', `customerId=${'a'.repeat(129)}`, 'customerId'],
    ['a sort on a field that is not sortable', 'sort=carrier', 'sort'],
    ['an unknown order', 'order=up', 'order'],
    ['a limit over 100', 'limit=101', 'limit'],
    ['a repeated parameter', 'carrier=DHL&carrier=UPS', 'carrier'],
  ])('with %s is 400 INVALID_QUERY_PARAMETER naming it', async (_case, query, field) => {
    // given the three shipments
    // when
    const answer = await get(`/api/queries/shipments?${query}`);
    // then
    expectProblem(answer, 400, 'INVALID_QUERY_PARAMETER', field);
    expectNoErrorLogs(api.logLines);
  });

  it.each([
    ['an unknown parameter', 'colour=red', 'colour', 'UNKNOWN_QUERY_PARAMETER'],
    ['a declared field that is not filterable', 'note=fragile', 'note', 'FIELD_NOT_FILTERABLE'],
    ['an unknown filter operator', 'weightKg[ne]=3', 'weightKg[ne]', 'UNSUPPORTED_FILTER_OPERATOR'],
    ['a cursor from nowhere', 'cursor=not-a-cursor', 'cursor', 'CURSOR_MALFORMED'],
  ])('with %s is 400 naming it, with a code saying which', async (_case, query, field, code) => {
    // given the three shipments
    // when
    const answer = await get(`/api/queries/shipments?${query}`);
    // then
    expectProblem(answer, 400, code, field);
    expectNoErrorLogs(api.logLines);
  });

  it('with a tampered cursor is 400 naming cursor', async () => {
    // given a real cursor with one character changed
    const first = await get('/api/queries/shipments?limit=1');
    const cursor = first.body.nextCursor as string;
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}${cursor.slice(-1)}`;
    // when
    const answer = await get(`/api/queries/shipments?limit=1&cursor=${encodeURIComponent(tampered)}`);
    // then
    expectProblem(answer, 400, 'CURSOR_TAMPERED', 'cursor');
  });

  it('is refused before authorization: the same answer for a caller without the permission', async () => {
    // given a subject without orders:read
    const nobody = await bearer('zed', 'guest');
    // when
    const answer = await get('/api/queries/shipments?note=x', nobody);
    // then
    expectProblem(answer, 400, 'FIELD_NOT_FILTERABLE', 'note');
  });
});

describe('the declarations createApi serves', () => {
  it('refuses two read models with one resource type', async () => {
    // given
    const twin = defineReadModel({ ...stockLevels, collection: 'stock-levels-2' });
    // when
    const creating = createTestApi({}, [stockLevels, twin]);
    // then
    await expect(creating).rejects.toThrow(ReadModelDeclarationError);
  });

  it('refuses a read model at /api/queries/temporal, which temporal queries own', async () => {
    // given
    const temporal = defineReadModel({ resourceType: 'temporal', documentType: 'moment', fields: {} });
    // when
    const creating = createTestApi({}, [temporal]);
    // then
    await expect(creating).rejects.toThrow('/api/queries/temporal is taken');
  });
});

describe('the shipped read models', () => {
  it('keep the order list\'s sort names of before (total, orderId)', async () => {
    // given two orders written as the order-list pipeline writes them
    const orders = api.readModelStore.collection('orders');
    await orders.upsertIfNewer('o-1', 1, { orderId: 'o-1', customerId: 'alice', status: 'PLACED', totalAmount: 30, createdAt: '2026-03-01T10:00:00.000Z' });
    await orders.upsertIfNewer('o-2', 1, { orderId: 'o-2', customerId: 'bob', status: 'PLACED', totalAmount: 10, createdAt: '2026-03-02T10:00:00.000Z' });
    // when
    const byTotal = await get('/api/queries/orders?sort=total&order=asc');
    const byId = await get('/api/queries/orders?sort=orderId&order=asc');
    // then
    expect((byTotal.body.items as Json[]).map((item) => item.orderId)).toEqual(['o-2', 'o-1']);
    expect((byId.body.items as Json[]).map((item) => item.orderId)).toEqual(['o-1', 'o-2']);
  });

  it('serve the order notices to a grant on any order, and none to a customer (the notices have no owner)', async () => {
    // given the read models the pipelines declare, and a notice
    const shipped = await createTestApi({}, shippedReadModels);
    try {
      await shipped.readModelStore.collection('order-notices').upsertIfNewer('o-1', 2, { orderId: 'o-1', kind: 'confirmed', text: 'Your order o-1 is confirmed', at: '2026-03-01T10:00:00.000Z' });
      // when
      const bySupport = await answerOf(await shipped.app.request('/api/queries/order-notices?kind=confirmed', { headers: support }));
      const byCustomer = await answerOf(await shipped.app.request('/api/queries/order-notices/o-1', { headers: alice }));
      // then
      expect(bySupport.body).toEqual({ items: [{ orderId: 'o-1', kind: 'confirmed', text: 'Your order o-1 is confirmed', at: '2026-03-01T10:00:00.000Z', version: 2 }] });
      expectProblem(byCustomer, 403, 'PERMISSION_DENIED');
    } finally {
      shipped.close();
    }
  });
});

describe('sort aliases of a declaration', () => {
  it.each([
    ['a field that is not sortable', { total: 'carrier' }, 'sortAliases "total" names "carrier", which is not a sortable field'],
    ['a name that is a sortable field', { weightKg: 'shippedAt' }, 'sortAliases "weightKg" must be a name that is not a sortable field'],
  ])('refuses an alias of %s, naming it', (_case, sortAliases, message) => {
    // given
    // when
    const declaring = (): unknown => defineReadModel({ ...shipments, sortAliases });
    // then
    expect(declaring).toThrow(new ReadModelDeclarationError(`read model "shipments": ${message}`));
  });

  it('sorts by the field an alias names', async () => {
    // given an alias "weight" for weightKg, and the three shipments
    const aliased = defineReadModel({ ...shipments, sortAliases: { weight: 'weightKg' } });
    const served = await createTestApi({}, [aliased]);
    try {
      for (const { id, data } of SHIPMENTS) await served.readModelStore.collection('shipments').upsertIfNewer(id, 1, data);
      // when
      const answer = await answerOf(await served.app.request('/api/queries/shipments?sort=weight&order=desc', { headers: admin }));
      // then
      expect((answer.body.items as Json[]).map((item) => item.weightKg)).toEqual([12, 2.5, 0.5]);
    } finally {
      served.close();
    }
  });
});
