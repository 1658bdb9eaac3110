/**
 * Part of issue 8 ("Text integrity"): a lone UTF-16 surrogate, or percent-encoding that does not
 * spell UTF-8, is refused wherever a request can carry it, naming where, and never reaches the
 * store, the policies or a 5xx.
 */
import { createHmac } from 'node:crypto';
import { TEST_SECRET, bearer } from '../auth/securedApi';
import { answerOf, createTestApi, expectNoErrorLogs, expectProblem } from './apiFixture';
import type { TestApi } from './apiFixture';

let api: TestApi;
let admin: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
});

beforeEach(async () => {
  api = await createTestApi();
});

afterEach(() => api.close());

/** A body sent as this exact JSON text, so that `\ud800` escapes arrive as written. */
async function postText(commandType: string, json: string): Promise<Awaited<ReturnType<typeof answerOf>>> {
  const response = await api.app.request(`/api/commands/${commandType}`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: json });
  return answerOf(response);
}

async function placeOrder(orderId: string): Promise<void> {
  const answer = await postText('PlaceOrder', JSON.stringify({ orderId, customerId: 'alice', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 3 }] }));
  expect(answer.status).toBe(202);
}

describe('a lone surrogate in a command body', () => {
  it.each([
    ['a free-text field', 'CancelOrder', '{"orderId":"o-1","reason":"broken \\ud800 text"}', 'reason'],
    ['a nested field', 'PlaceOrder', '{"customerId":"alice","items":[{"sku":"OK-1","quantity":1,"unitPrice":1},{"sku":"\\udc00","quantity":1,"unitPrice":1}]}', 'items[1].sku'],
    ['an id', 'PlaceOrder', '{"orderId":"o-\\udbff","customerId":"alice","items":[]}', 'orderId'],
    ['a key', 'PlaceOrder', '{"customerId":"alice","items":[],"\\ud800":1}', '\ufffd'],
    ['an unknown nested key', 'PlaceOrder', '{"customerId":"alice","items":[],"extra":{"deep":["\\ud800"]}}', 'extra.deep[0]'],
  ])('is refused in %s with 422 ILL_FORMED_TEXT naming its path, storing nothing', async (_where, commandType, json, field) => {
    // given an existing order
    await placeOrder('o-1');
    const head = await api.store.headPosition();
    // when
    const answer = await postText(commandType, json);
    // then
    expectProblem(answer, 422, 'ILL_FORMED_TEXT', field);
    expect(await api.store.headPosition()).toBe(head);
    expectNoErrorLogs(api.logLines);
  });

  it('is refused with its echoed path cut short to 256 characters', async () => {
    // given a 300-character key whose value holds a lone surrogate
    const key = 'k'.repeat(300);
    const json = `{"customerId":"alice","items":[],"${key}":"\\ud800"}`;
    // when
    const answer = await postText('PlaceOrder', json);
    // then
    expectProblem(answer, 422, 'ILL_FORMED_TEXT', `${key.slice(0, 255)}…`);
  });

  it('is accepted as a well-formed pair, escaped or not', async () => {
    // given an emoji written as an escaped surrogate pair and a raw one
    const json = '{"orderId":"o-2","reason":"\\ud83d\\udca5 and 💥"}';
    await placeOrder('o-2');
    // when
    const answer = await postText('CancelOrder', json);
    // then
    expect(answer.status).toBe(202);
  });
});

describe('broken text in the URL', () => {
  it.each([
    ['/api/queries/orders/%ED%A0%80', 'an encoded surrogate'],
    ['/api/queries/orders/%E0%A4%A', 'a cut escape'],
    ['/api/queries/orders/100%', 'a bare percent sign'],
    ['/api/queries/temporal/orders/%ED%A0%80?asOf=2026-01-01T00:00:00Z', 'an encoded surrogate in a temporal query'],
  ])('refuses %s (%s) with 400 INVALID_PATH_PARAMETER naming orderId', async (path) => {
    // given
    // when
    const answer = await answerOf(await api.app.request(path, { headers: admin }));
    // then
    expectProblem(answer, 400, 'INVALID_PATH_PARAMETER', 'orderId');
    expectNoErrorLogs(api.logLines);
  });

  it('still decodes a well-formed escaped id', async () => {
    // given an order whose id has a ":" sent as %3A
    await placeOrder('o:1');
    // when
    const answer = await answerOf(await api.app.request('/api/queries/temporal/orders/o%3A1?asOf=2999-01-01T00:00:00Z', { headers: admin }));
    // then
    expect(answer).toMatchObject({ status: 200, body: { aggregateId: 'o:1', version: 1 } });
  });

  it.each([
    ['/api/queries/orders?customerId=%ED%A0%80', 'customerId'],
    ['/api/queries/orders?cursor=%E0%A4%A', 'cursor'],
    ['/api/queries/orders?status=PLACED&limit=1%', 'limit'],
    ['/api/queries/orders?%ED%A0%80=x', '\ufffd\ufffd\ufffd'],
    ['/api/queries/temporal/orders/o-1?asOf=%E0%A4%A', 'asOf'],
  ])('refuses the query %s with 400 INVALID_QUERY_PARAMETER naming %s', async (path, field) => {
    // given
    // when
    const answer = await answerOf(await api.app.request(path, { headers: admin }));
    // then
    expectProblem(answer, 400, 'INVALID_QUERY_PARAMETER', field);
    expectNoErrorLogs(api.logLines);
  });
});

describe('a lone surrogate in a token claim', () => {
  function signed(claims: Record<string, unknown>): string {
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${input}.${createHmac('sha256', TEST_SECRET).update(input).digest('base64url')}`;
  }

  it.each([
    ['sub', { sub: '\ud800', roles: ['admin'] }],
    ['roles', { sub: 'root', roles: ['admin', '\udfff'] }],
  ])('refuses a token whose %s holds one with 401, on every route, before any policy runs', async (_claim, claims) => {
    // given a correctly signed token
    const now = Math.floor(Date.now() / 1000);
    const authorization = `Bearer ${signed({ ...claims, iat: now, exp: now + 60 })}`;
    // when
    const answers = await Promise.all(
      ['/api/queries/orders', '/api/queries/orders/o-1', '/api/queries/temporal/orders/o-1?asOf=2026-01-01T00:00:00Z'].map(async (path) =>
        answerOf(await api.app.request(path, { headers: { authorization } })),
      ),
    );
    // then
    for (const answer of answers) expectProblem(answer, 401, 'UNAUTHENTICATED');
    expectNoErrorLogs(api.logLines);
  });
});
