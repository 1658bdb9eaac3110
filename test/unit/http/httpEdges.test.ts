/**
 * Part of issue 8 ("HTTP edges"), in process: wrong methods, bodies that are not objects, commands
 * on missing orders, expectedVersion bounds, content encodings, and bodies that never finish.
 * test/unit/http/nodeServer.test.ts covers what only the real Node server shows.
 */
import { bearer } from '../auth/securedApi';
import { answerOf, createTestApi, expectNoErrorLogs, expectProblem } from './apiFixture';
import type { TestApi } from './apiFixture';

let api: TestApi;
let admin: Record<string, string>;
let alice: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  alice = await bearer('alice', 'customer');
});

beforeEach(async () => {
  api = await createTestApi();
});

afterEach(() => api.close());

async function post(commandType: string, body: unknown, headers: Record<string, string> = admin): Promise<Awaited<ReturnType<typeof answerOf>>> {
  const response = await api.app.request(`/api/commands/${commandType}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return answerOf(response);
}

async function placeOrder(orderId: string, customerId: string): Promise<void> {
  const answer = await post('PlaceOrder', { orderId, customerId, items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 3 }] });
  expect(answer.status).toBe(202);
}

describe('a known path with a method it does not serve', () => {
  it.each([
    ['PUT', '/api/commands/PlaceOrder', 'POST'],
    ['GET', '/api/commands/CancelOrder', 'POST'],
    ['DELETE', '/api/queries/orders/o-1', 'GET, HEAD'],
    ['POST', '/api/queries/orders', 'GET, HEAD'],
    ['PATCH', '/api/queries/temporal/orders/o-1', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
  ])('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
    // given
    // when
    const answer = await answerOf(await api.app.request(path, { method, headers: admin }));
    // then
    expectProblem(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe(allow);
  });

  it('still answers a path no route knows with 404', async () => {
    // given
    // when
    const answer = await answerOf(await api.app.request('/api/nothing/here', { method: 'PUT', headers: admin }));
    // then
    expectProblem(answer, 404, 'NOT_FOUND');
  });
});

describe('a JSON body that is not an object', () => {
  it.each(['null', '[]', '[{"orderId":"o-1"}]', '42', '1e308', '"text"', 'true', 'false'])(
    'is refused as %s with 422 INVALID_COMMAND before authorization, even for a customer',
    async (json) => {
      // given a customer, whom the policy would ask about the order's owner
      const head = await api.store.headPosition();
      // when
      const answer = await post('CancelOrder', json, alice);
      // then
      expectProblem(answer, 422, 'INVALID_COMMAND');
      expect(answer.body.detail).toBe('the command body must be a JSON object');
      expect(await api.store.headPosition()).toBe(head);
    },
  );
});

describe('a JSON body nested too deeply', () => {
  it.each([65, 20_000])('is refused at %i levels with 400 JSON_TOO_DEEP, logged below error', async (depth) => {
    // given arrays nested within an unknown member, the body within the size limit
    const json = `{"customerId":"alice","items":[],"extra":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    // when
    const answer = await post('PlaceOrder', json, { ...admin, 'idempotency-key': `deep-${depth}` });
    // then
    expectProblem(answer, 400, 'JSON_TOO_DEEP');
    expectNoErrorLogs(api.logLines);
  });

  it('is accepted at 64 levels, as far as nesting goes', async () => {
    // given 64 levels: the body object and 63 arrays
    const json = `{"customerId":"alice","items":[],"extra":${'['.repeat(63)}${']'.repeat(63)}}`;
    // when
    const answer = await post('PlaceOrder', json);
    // then the command itself refuses the unknown member
    expectProblem(answer, 422, 'INVALID_COMMAND', 'extra');
  });
});

describe('a command on an order that does not exist', () => {
  it.each([
    ['AddItem', { orderId: 'o-404', sku: 'PEN-1', quantity: 1, unitPrice: 1 }],
    ['ConfirmOrder', { orderId: 'o-404' }],
    ['CancelOrder', { orderId: 'o-404', reason: 'gone' }],
  ])('answers %s with 404 ORDER_NOT_FOUND, for an admin and a customer alike', async (commandType, body) => {
    // given no order o-404
    // when
    const byAdmin = await post(commandType, body, admin);
    const byCustomer = await post(commandType, body, alice);
    // then
    expectProblem(byAdmin, 404, 'ORDER_NOT_FOUND');
    expectProblem(byCustomer, 404, 'ORDER_NOT_FOUND');
    expect(byAdmin.body).toMatchObject({ title: 'Not found', orderId: 'o-404' });
  });

  it("still refuses a customer's command on another customer's order with 403", async () => {
    // given bob's order
    await placeOrder('o-bob', 'bob');
    // when alice tries to cancel it
    const answer = await post('CancelOrder', { orderId: 'o-bob', reason: 'mine now' }, alice);
    // then
    expectProblem(answer, 403, 'PERMISSION_DENIED');
  });

  it('still answers a business rule on an existing order with 409', async () => {
    // given a cancelled order
    await placeOrder('o-1', 'alice');
    expect((await post('CancelOrder', { orderId: 'o-1', reason: 'x' })).status).toBe(202);
    // when
    const answer = await post('CancelOrder', { orderId: 'o-1', reason: 'again' });
    // then
    expectProblem(answer, 409, 'ORDER_ALREADY_CANCELLED');
  });
});

describe('expectedVersion', () => {
  it.each([1e308, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1', true])('is refused as %p with 422 naming expectedVersion', async (expectedVersion) => {
    // given an order at version 1
    await placeOrder('o-1', 'alice');
    const head = await api.store.headPosition();
    // when
    const answer = await post('ConfirmOrder', { orderId: 'o-1', expectedVersion });
    // then
    expectProblem(answer, 422, 'INVALID_COMMAND', 'expectedVersion');
    expect(await api.store.headPosition()).toBe(head);
  });

  it('is accepted as the current version', async () => {
    // given an order at version 1
    await placeOrder('o-1', 'alice');
    // when
    const answer = await post('ConfirmOrder', { orderId: 'o-1', expectedVersion: 1 });
    // then
    expect(answer).toMatchObject({ status: 202, body: { version: 2 } });
  });
});

describe('Content-Encoding', () => {
  it.each(['gzip', 'br', 'deflate, gzip', 'identity, gzip'])('refuses %s with 415 naming content-encoding', async (encoding) => {
    // given
    const order = { customerId: 'alice', items: [] };
    // when
    const answer = await post('PlaceOrder', order, { ...admin, 'content-encoding': encoding });
    // then
    expectProblem(answer, 415, 'UNSUPPORTED_CONTENT_ENCODING', 'content-encoding');
  });

  it('accepts identity', async () => {
    // given
    const order = { customerId: 'alice', items: [] };
    // when
    const answer = await post('PlaceOrder', order, { ...admin, 'content-encoding': 'identity' });
    // then
    expect(answer.status).toBe(202);
  });
});

describe('a body that does not finish', () => {
  function streamed(chunks: string[], end: 'never' | 'error'): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        if (end === 'error') controller.error(new Error('aborted'));
      },
    });
  }

  it.each([
    ['with a Content-Length it never reaches', { 'content-length': '100' }],
    ['streamed without a Content-Length', {}],
  ])('is answered 408 REQUEST_TIMEOUT after the body timeout, %s', async (_case, length) => {
    // given an API with a short body timeout and a body that stops after 10 bytes
    api.close();
    api = await createTestApi({ bodyTimeoutMs: 50 });
    // when
    const response = await api.app.request('/api/commands/PlaceOrder', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...length, ...admin },
      body: streamed(['{"customer'], 'never'),
      duplex: 'half',
    } as RequestInit);
    const answer = await answerOf(response);
    // then
    expectProblem(answer, 408, 'REQUEST_TIMEOUT');
    expect(answer.headers.get('connection')).toBe('close');
    expectNoErrorLogs(api.logLines);
  });

  it('is answered 400 REQUEST_ABORTED and logged below error when the client gives up', async () => {
    // given a body whose stream fails, as when the client closes the connection
    const head = await api.store.headPosition();
    // when
    const response = await api.app.request('/api/commands/PlaceOrder', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100', ...admin },
      body: streamed(['{"customer'], 'error'),
      duplex: 'half',
    } as RequestInit);
    const answer = await answerOf(response);
    // then
    expectProblem(answer, 400, 'REQUEST_ABORTED');
    expect(api.logLines).toContainEqual(expect.objectContaining({ level: 'info', message: 'request refused', code: 'REQUEST_ABORTED' }));
    expectNoErrorLogs(api.logLines);
    expect(await api.store.headPosition()).toBe(head);
  });
});
