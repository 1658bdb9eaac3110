/**
 * Issue 11, part 3 (HTTP): `GET /api/queries/{resourceType}/search?q=` over a read model declared
 * here and over the shipped order notices, authorized as the list: ranked hits with score and
 * highlights, a grant on own documents searching its own only, problems naming `q`, `limit`,
 * `cursor` or `resourceType`, hostile texts never a 5xx. Documents go straight into SQLite.
 */
import { HTTP_ERRORS } from '../../../core/http/HttpErrors';
import { defineReadModel } from '../../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../../../domain';
import { orderNoticesReadModel } from '../../../pipelines/order-notices';
import { HOSTILE_TEXTS } from '../../contract/readModelSearchContract';
import { bearer } from '../auth/securedApi';
import { answerOf, createTestApi, expectProblem } from './apiFixture';
import type { Json, TestApi } from './apiFixture';

/** Support tickets, owned by a customer; their queries need `orders:read`. */
const tickets = defineReadModel({
  resourceType: 'tickets',
  documentType: 'ticket',
  permission: 'orders',
  ownerField: 'customerId',
  fields: {
    customerId: { type: 'string', filterable: true },
    subject: { type: 'string', fullText: true },
    body: { type: 'string', fullText: true },
  },
});

const TICKETS = [
  { id: 't-1', data: { customerId: 'alice', subject: 'Parcel', body: 'My parcel arrived damaged' } },
  { id: 't-2', data: { customerId: 'bob', subject: 'Parcel late', body: 'Where is my parcel? It is a week late' } },
  { id: 't-3', data: { customerId: 'alice', subject: 'Invoice', body: 'Please send the invoice for my parcel again' } },
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
  api = await createTestApi({}, [orderListReadModel, orderNoticesReadModel, tickets]);
  for (const { id, data } of TICKETS) await api.readModelStore.collection('tickets').upsertIfNewer(id, 1, data);
  const notices = api.readModelStore.collection('order-notices');
  await notices.upsertIfNewer('o-1', 3, { orderId: 'o-1', kind: 'cancelled', text: 'Your order o-1 was cancelled: out of stock', at: '2026-03-01T10:00:00.000Z' });
  await notices.upsertIfNewer('o-2', 2, { orderId: 'o-2', kind: 'confirmed', text: 'Your order o-2 is confirmed', at: '2026-03-02T10:00:00.000Z' });
});

afterEach(() => api.close());

async function get(path: string, headers: Record<string, string> = admin): Promise<Awaited<ReturnType<typeof answerOf>>> {
  return answerOf(await api.app.request(path, { headers }));
}

const customerIdsOf = (body: Json): unknown[] => (body.items as Json[]).map((item) => item.customerId);
const subjectsOf = (body: Json): unknown[] => (body.items as Json[]).map((item) => item.subject);

describe('GET /api/queries/{resourceType}/search', () => {
  it('answers the ranked hits with their data, version, score and highlights', async () => {
    // given the tickets
    // when
    const answer = await get('/api/queries/tickets/search?q=parcel');
    // then: the subject "Parcel" alone ranks first
    expect(answer.status).toBe(200);
    const items = answer.body.items as Json[];
    expect(subjectsOf(answer.body)[0]).toBe('Parcel');
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ customerId: 'alice', subject: 'Parcel', body: 'My parcel arrived damaged', version: 1 });
    expect(typeof items[0]?.score).toBe('number');
    expect((items[0]?.highlights as Record<string, string[]>).subject).toEqual(['<mark>Parcel</mark>']);
    expect(answer.body.nextCursor).toBeUndefined();
  });

  it('matches prefixes and needs every word', async () => {
    // given the tickets
    // when
    const answer = await get('/api/queries/tickets/search?q=inv*%20parcel');
    // then
    expect(subjectsOf(answer.body)).toEqual(['Invoice']);
  });

  it("searches only the caller's documents under a grant on own documents", async () => {
    // given alice (customer: orders:read on her own) and parcels of alice and bob
    // when
    const own = await get('/api/queries/tickets/search?q=parcel', alice);
    const any = await get('/api/queries/tickets/search?q=parcel', support);
    // then
    expect(own.status).toBe(200);
    expect(customerIdsOf(own.body).sort()).toEqual(['alice', 'alice']);
    expect(customerIdsOf(any.body).sort()).toEqual(['alice', 'alice', 'bob']);
  });

  it('searches the shipped order notices, which only grants on any order may read', async () => {
    // given a cancelled and a confirmed notice
    // when
    const bySupport = await get('/api/queries/order-notices/search?q=stock', support);
    const byCustomer = await get('/api/queries/order-notices/search?q=stock', alice);
    // then
    expect((bySupport.body.items as Json[]).map((item) => item.orderId)).toEqual(['o-1']);
    expect(((bySupport.body.items as Json[])[0]?.highlights as Record<string, string[]>).text?.[0]).toContain('<mark>stock</mark>');
    expectProblem(byCustomer, 403, 'PERMISSION_DENIED');
  });

  it('pages with sealed cursors, refused with another text or another caller', async () => {
    // given a first page of one hit
    const first = await get('/api/queries/tickets/search?q=parcel&limit=1', support);
    const cursor = String(first.body.nextCursor);
    // when the pages are followed, and the cursor is reused elsewhere
    const seen = [...subjectsOf(first.body)];
    for (let next: unknown = first.body.nextCursor; typeof next === 'string'; ) {
      const page = await get(`/api/queries/tickets/search?q=parcel&limit=1&cursor=${encodeURIComponent(next)}`, support);
      seen.push(...subjectsOf(page.body));
      next = page.body.nextCursor;
    }
    const otherText = await get(`/api/queries/tickets/search?q=invoice&cursor=${encodeURIComponent(cursor)}`, support);
    const otherCaller = await get(`/api/queries/tickets/search?q=parcel&cursor=${encodeURIComponent(cursor)}`, alice);
    const altered = await get(`/api/queries/tickets/search?q=parcel&cursor=${encodeURIComponent(`x${cursor.slice(1)}`)}`, support);
    // then
    expect(seen.sort()).toEqual(['Invoice', 'Parcel', 'Parcel late']);
    expectProblem(otherText, 400, HTTP_ERRORS.CURSOR_QUERY_MISMATCH, 'cursor');
    expectProblem(otherCaller, 400, HTTP_ERRORS.CURSOR_QUERY_MISMATCH, 'cursor');
    expect(altered.status).toBe(400);
    expect(altered.body.field).toBe('cursor');
  });

  it.each([
    ['no q', '', 'q'],
    ['an empty q', 'q=', 'q'],
    ['a q without a word', 'q=*', 'q'],
    ['a q too long', `q=${'a'.repeat(257)}`, 'q'],
    ['q twice', 'q=a&q=b', 'q'],
    ['a limit of 0', 'q=parcel&limit=0', 'limit'],
    ['a limit over 100', 'q=parcel&limit=101', 'limit'],
    ['an unknown parameter', 'q=parcel&sort=subject', 'sort'],
  ])('refuses %s with a problem naming the parameter', async (_case, query, field) => {
    // given the tickets
    // when
    const answer = await get(`/api/queries/tickets/search?${query}`);
    // then
    expectProblem(answer, 400, HTTP_ERRORS.INVALID_QUERY_PARAMETER, field);
  });

  it('answers 404 naming resourceType for a read model without full-text fields, or none', async () => {
    // given the order list, which declares no full-text field
    // when
    const orders = await get('/api/queries/orders/search?q=parcel');
    const unknown = await get('/api/queries/invoices/search?q=parcel');
    // then
    expectProblem(orders, 404, HTTP_ERRORS.NOT_FOUND, 'resourceType');
    expectProblem(unknown, 404, HTTP_ERRORS.UNKNOWN_RESOURCE_TYPE, 'resourceType');
  });

  it('answers hostile texts with hits or a 400 naming q, never a 5xx', async () => {
    for (const text of HOSTILE_TEXTS) {
      // given a text meant to break the engine's query syntax
      // when
      const answer = await get(`/api/queries/tickets/search?q=${encodeURIComponent(text)}`);
      // then
      expect([text, answer.status, answer.status === 200 ? 'q' : answer.body.field]).toEqual([text, answer.status === 200 ? 200 : 400, 'q']);
    }
  });

  it('leaves GET /api/queries/{resourceType}/{id} to the documents', async () => {
    // given the tickets
    // when
    const answer = await get('/api/queries/tickets/t-1');
    // then
    expect(answer.status).toBe(200);
    expect(answer.body.subject).toBe('Parcel');
  });
});
