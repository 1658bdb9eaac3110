/**
 * Issue 11, part 5: list and get answers of declared read models carry a strong ETag and
 * `Cache-Control: private, no-cache`; `If-None-Match` (RFC 9110) gets 304 without a body when
 * nothing changed, and only after authorization, so a 304 never tells an unauthorized caller
 * that a document exists.
 */
import { READ_MODEL_CACHE_CONTROL, entityTagOf, ifNoneMatchMatches } from '../../../core/http/readModelEtag';
import { bearer } from '../auth/securedApi';
import { answerOf, expectProblem } from './apiFixture';
import type { TestApi } from './apiFixture';
import { shipment, shipmentsApi } from './shipmentsFixture';

let api: TestApi;
let admin: Record<string, string>;
let alice: Record<string, string>;
let guest: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  alice = await bearer('alice', 'customer');
  guest = await bearer('zed', 'guest');
});

beforeEach(async () => {
  // alice owns s-1 and s-3, bob s-2
  api = await shipmentsApi(3);
});

afterEach(() => api.close());

async function request(path: string, headers: Record<string, string>, ifNoneMatch?: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await api.app.request(path, { headers: { ...headers, ...(ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch }) } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe.each([
  ['a list', '/api/queries/shipments?carrier=DHL'],
  ['a get', '/api/queries/shipments/s-1'],
])('%s', (_case, path) => {
  it('carries an ETag, Cache-Control private, no-cache and Vary Authorization', async () => {
    // given three shipments
    // when
    const answer = await request(path, admin);
    // then
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{24}"$/);
    expect(answer.headers.get('cache-control')).toBe(READ_MODEL_CACHE_CONTROL);
    expect(answer.headers.get('vary')).toBe('Authorization');
    expect(answer.headers.get('content-type')).toBe('application/json');
  });

  it.each([
    ['its own tag', (etag: string) => etag],
    ['its tag marked weak', (etag: string) => `W/${etag}`],
    ['a list holding its tag', (etag: string) => `"other", ${etag} ,W/"another"`],
    ['*', () => '*'],
  ])('is answered 304 without a body for If-None-Match %s, with the ETag and Cache-Control', async (_name, ifNoneMatch) => {
    // given the answer's tag
    const etag = (await request(path, admin)).headers.get('etag') ?? '';
    // when asked again with it
    const answer = await request(path, admin, ifNoneMatch(etag));
    // then
    expect({ status: answer.status, text: answer.text, etag: answer.headers.get('etag'), cacheControl: answer.headers.get('cache-control') }).toEqual({
      status: 304,
      text: '',
      etag,
      cacheControl: READ_MODEL_CACHE_CONTROL,
    });
  });

  it.each([
    ['another tag', '"not-it"'],
    ['a malformed header', 'not-a-tag'],
  ])('is answered in full for If-None-Match with %s', async (_name, ifNoneMatch) => {
    // given
    // when
    const answer = await request(path, admin, ifNoneMatch);
    // then
    expect(answer.status).toBe(200);
    expect(answer.text).not.toBe('');
  });

  it('gets a new tag when a document in it changes, and the same one when a duplicate is replayed', async () => {
    // given the answer's tag
    const before = (await request(path, admin)).headers.get('etag') ?? '';
    const collection = api.readModelStore.collection('shipments');
    // when an older event is replayed, then a newer one applied
    await collection.upsertIfNewer('s-1', 1, shipment(1, { note: 'replayed' }));
    const afterDuplicate = await request(path, admin, before);
    await collection.upsertIfNewer('s-1', 2, shipment(1, { weightKg: 99 }));
    const afterChange = await request(path, admin, before);
    // then
    expect(afterDuplicate.status).toBe(304);
    expect(afterChange.status).toBe(200);
    expect(afterChange.headers.get('etag')).not.toBe(before);
  });

  it('is refused 403 for a caller without the grant, even with the current tag', async () => {
    // given the current tag, as an authorized caller saw it
    const etag = (await request(path, admin)).headers.get('etag') ?? '';
    // when a caller without orders:read sends it
    const answer = await answerOf(await api.app.request(path, { headers: { ...guest, 'if-none-match': etag } }));
    // then
    expectProblem(answer, 403, 'PERMISSION_DENIED');
  });
});

describe('a get under a grant on own documents', () => {
  it('of another customer\'s document is 403 even for If-None-Match *', async () => {
    // given s-2, bob's
    // when alice asks whether it exists
    const answer = await answerOf(await api.app.request('/api/queries/shipments/s-2', { headers: { ...alice, 'if-none-match': '*' } }));
    // then
    expectProblem(answer, 403, 'PERMISSION_DENIED');
  });

  it('of a missing document is 404 for If-None-Match *, never 304', async () => {
    // given no s-9
    // when
    const answer = await answerOf(await api.app.request('/api/queries/shipments/s-9', { headers: { ...admin, 'if-none-match': '*' } }));
    // then
    expectProblem(answer, 404, 'NOT_FOUND');
  });
});

describe('a list', () => {
  it('has a tag per caller under grants on own documents', async () => {
    // given alice (own) and an admin (any)
    // when both list
    const own = await request('/api/queries/shipments', alice);
    const all = await request('/api/queries/shipments', admin);
    // then the answers differ, and so do their tags
    expect(own.headers.get('etag')).not.toBe(all.headers.get('etag'));
  });
});

describe('ifNoneMatchMatches', () => {
  const etag = entityTagOf('{"a":1}');

  it.each([
    [undefined, false],
    ['', false],
    ['*', true],
    [etag, true],
    [`W/${etag}`, true],
    [`"x",${etag}`, true],
    [` "x" , , ${etag} `, true],
    ['"x", "y"', false],
    [`${etag}, garbage`, false],
    [etag.slice(1, -1), false],
  ])('If-None-Match %p matches: %p', (header, expected) => {
    // given the tag of an answer
    // when
    const matches = ifNoneMatchMatches(header, etag);
    // then
    expect(matches).toBe(expected);
  });
});
