import { SqliteEventStore } from '../../../adapters/embedded';
import type { NewEvent } from '../../../core/events/EventStore';
import type { TemporalQueryOptions } from '../../../core/http';
import { orderContext, orderItemAdded, orderPlaced } from '../../contract/eventFixtures';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { bearer } from '../auth/securedApi';
import { chainResult, createTemporalApi, followChain } from './temporalHarness';
import type { Answer, Json, TemporalApi } from './temporalHarness';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const LATER = at(10_000);

let env: SchemaEnvironment;
let store: SqliteEventStore;
let occurredAt: number;
let api: TemporalApi;
let admin: Record<string, string>;

async function apiWith(temporal: TemporalQueryOptions): Promise<TemporalApi> {
  api.close();
  api = await createTemporalApi(store, env.codec, temporal);
  return api;
}

/** Appends events one by one, the first at `start` minutes and each a minute later. */
async function appendOneByOne(id: string, events: NewEvent[], aggregateType = 'Order', start = 0): Promise<void> {
  occurredAt = T0 + start * 60_000;
  for (const [index, event] of events.entries()) {
    await store.append(id, index, [event], orderContext({ aggregateType }));
    occurredAt += 60_000;
  }
}

function items(id: string, count: number): NewEvent[] {
  return Array.from({ length: count }, (_, index) => orderItemAdded(id, `sku-${index + 1}`));
}

function expectProblem(answer: Answer, status: number, code: string, field?: string): void {
  expect({ status: answer.status, type: answer.headers.get('content-type'), code: answer.body.code, field: answer.body.field }).toEqual({
    status,
    type: 'application/problem+json',
    code,
    field,
  });
}

beforeEach(async () => {
  env = await createSchemaEnvironment();
  occurredAt = T0;
  store = new SqliteEventStore(env.db, env.codec, { clock: () => new Date(occurredAt) });
  api = await createTemporalApi(store, env.codec, { maxEventsPerRequest: 3 });
  admin = await bearer('root', 'admin');
});

afterEach(() => {
  api.close();
  env.db.close();
});

describe('GET /api/queries/temporal/{aggregateType}/{id}', () => {
  it('serves a second aggregate type declared outside core/', async () => {
    // given a tally with two items, declared only in the test
    await appendOneByOne('tally-1', [orderPlaced('tally-1'), orderItemAdded('tally-1', 'a')], 'Tally');
    // when asking by its URL segment and by its declared type
    const bySegment = await api.request(`/api/queries/temporal/tallies/tally-1?asOf=${LATER}`, admin);
    const byType = await api.request(`/api/queries/temporal/Tally/tally-1?asOf=${LATER}`, admin);
    // then both fold its events with its own decider
    expect(bySegment.body).toEqual({ aggregateId: 'tally-1', asOf: LATER, version: 2, state: { count: 2, skus: ['a'] }, complete: true });
    expect(byType.body).toEqual(bySegment.body);
  });

  it('asks the policy for query:<segment>.temporal on the second aggregate type, which needs <segment>:read-history', async () => {
    // given a tally and an auditor, whose grants name orders only
    await appendOneByOne('tally-2', [orderPlaced('tally-2')], 'Tally');
    // when the auditor asks for it
    const answer = await api.request(`/api/queries/temporal/tallies/tally-2?asOf=${LATER}`, await bearer('audrey', 'auditor'));
    // then it is refused naming the permission the policy maps that action to
    expectProblem(answer, 403, 'PERMISSION_DENIED');
    expect(answer.body.permission).toBe('tallies:read-history');
  });

  it('answers an unknown aggregate type with 404 naming aggregateType', async () => {
    // given no aggregate type "invoices"
    // when
    const answer = await api.request(`/api/queries/temporal/invoices/i-1?asOf=${LATER}`, admin);
    // then
    expectProblem(answer, 404, 'NOT_FOUND', 'aggregateType');
    expect(answer.body.detail).toContain('invoices');
  });

  it('reads a v1 OrderPlaced written before v2 existed, upcast to v2', async () => {
    // given an order placed with the v1 schema (flat totalAmount, implicitly USD)
    const v1: NewEvent = {
      eventType: 'OrderPlaced',
      schemaVersion: 1,
      payload: { orderId: 'legacy-1', customerId: 'c-1', items: [{ sku: 'A', quantity: 1, unitPrice: 5 }], totalAmount: 5 },
    };
    await appendOneByOne('legacy-1', [v1, orderItemAdded('legacy-1', 'B')]);
    // when
    const answer = await api.request(`/api/queries/temporal/orders/legacy-1?asOf=${LATER}&since=${at(0)}`, admin);
    // then the state and the change carry the v2 total
    expect(answer.body.state).toMatchObject({ status: 'PLACED', currency: 'USD', lines: [{ sku: 'A' }, { sku: 'B' }] });
    expect((answer.body.changes as Json[])[0]).toMatchObject({ version: 1, eventType: 'OrderPlaced', data: { total: { amount: 5, currency: 'USD' } } });
  });
});

describe('temporal limits', () => {
  it('answers a partial result with a continuation at the event cap, and the chain ends at the full state', async () => {
    // given an order of eight events and a cap of three events a request
    await appendOneByOne('order-1', [orderPlaced('order-1'), ...items('order-1', 7)]);
    // when following the chain
    const answers = await followChain(api, `/api/queries/temporal/orders/order-1?asOf=${LATER}`, admin);
    // then three answers stop at versions 3 and 6, the last is complete at version 8
    expect(answers.map((answer) => [answer.status, answer.body.version, answer.body.complete])).toEqual([
      [200, 3, false],
      [200, 6, false],
      [200, 8, true],
    ]);
    expect(answers[0]?.body.state).toMatchObject({ lines: [{ sku: 'sku-1' }, { sku: 'sku-1' }, { sku: 'sku-2' }] });
    expect(answers[2]?.body).not.toHaveProperty('continuation');
    expect((answers[2]?.body.state as { lines: unknown[] }).lines).toHaveLength(8);
  });

  it('pages the changes since a time across continuations, each listed once', async () => {
    // given an order of six events, one a minute
    await appendOneByOne('order-2', [orderPlaced('order-2'), ...items('order-2', 5)]);
    // when following the chain for the changes since minute 2
    const answers = await followChain(api, `/api/queries/temporal/orders/order-2?asOf=${at(4)}&since=${at(2)}`, admin);
    // then versions 3..5 are listed, spread over the answers, and the state is as of minute 4
    expect(chainResult(answers)).toMatchObject({ version: 5, complete: true });
    expect((chainResult(answers).changes as Json[]).map((change) => change.version)).toEqual([3, 4, 5]);
  });

  it('answers complete when the first event after asOf is read within the cap', async () => {
    // given an order of three events and asOf after the second
    await appendOneByOne('order-3', [orderPlaced('order-3'), ...items('order-3', 2)]);
    // when
    const answer = await api.request(`/api/queries/temporal/orders/order-3?asOf=${at(1)}`, admin);
    // then the answer is complete at version 2
    expect(answer.body).toMatchObject({ version: 2, complete: true });
  });

  it.each([
    ['altered', (token: string) => `${token.slice(0, 4)}${token[4] === 'A' ? 'B' : 'A'}${token.slice(5)}`, ''],
    ['not a token', () => 'garbage%25%25', ''],
    ['used with another asOf', (token: string) => token, 'asOf'],
    ['used with a since', (token: string) => token, 'since'],
    ['used on another id', (token: string) => token, 'id'],
    ['used on another aggregate type', (token: string) => token, 'type'],
  ])('refuses a continuation %s with 400 naming continuation', async (_case, alter, change) => {
    // given a partial answer's token
    await appendOneByOne('order-4', [orderPlaced('order-4'), ...items('order-4', 5)]);
    await appendOneByOne('order-5', [orderPlaced('order-5'), ...items('order-5', 5)]);
    const first = await api.request(`/api/queries/temporal/orders/order-4?asOf=${LATER}`, admin);
    const token = encodeURIComponent(alter(first.body.continuation as string));
    // when it is used altered or with other parameters
    const segment = change === 'type' ? 'tallies' : 'orders';
    const id = change === 'id' ? 'order-5' : 'order-4';
    const asOf = change === 'asOf' ? at(9_000) : LATER;
    const since = change === 'since' ? `&since=${at(0)}` : '';
    const answer = await api.request(`/api/queries/temporal/${segment}/${id}?asOf=${asOf}${since}&continuation=${token}`, admin);
    // then
    expectProblem(answer, 400, 'INVALID_QUERY_PARAMETER', 'continuation');
  });

  it('refuses a continuation signed by another key', async () => {
    // given a token from an API with another key
    await appendOneByOne('order-6', [orderPlaced('order-6'), ...items('order-6', 5)]);
    const path = `/api/queries/temporal/orders/order-6?asOf=${LATER}`;
    const token = (await api.request(path, admin)).body.continuation as string;
    // when another instance, with its own key, is asked to resume it
    const other = await apiWith({ maxEventsPerRequest: 3, continuationKey: 'another key' });
    const answer = await other.request(`${path}&continuation=${encodeURIComponent(token)}`, admin);
    // then
    expectProblem(answer, 400, 'INVALID_QUERY_PARAMETER', 'continuation');
  });

  it('refuses a range since..asOf over 90 days with 400 naming since', async () => {
    // given an order
    await appendOneByOne('order-7', [orderPlaced('order-7')]);
    // when
    const answer = await api.request(`/api/queries/temporal/orders/order-7?asOf=${at(0)}&since=${at(-91 * 24 * 60)}`, admin);
    // then
    expectProblem(answer, 400, 'INVALID_QUERY_PARAMETER', 'since');
  });

  it('abandons a replay that outlasts the timeout with 504 QUERY_TIMEOUT', async () => {
    // given a clock that moves 31 s on every reading, and an order of eight events
    let clockMs = 0;
    const slow = await apiWith({ maxEventsPerRequest: 10_000, clock: () => (clockMs += 31_000) });
    await appendOneByOne('order-8', [orderPlaced('order-8'), ...items('order-8', 7)]);
    // when
    const answer = await slow.request(`/api/queries/temporal/orders/order-8?asOf=${LATER}`, admin);
    // then
    expectProblem(answer, 504, 'QUERY_TIMEOUT');
  });

  it('counts every link of a chain against the rate limit of temporal queries', async () => {
    // given a tally of 36 events: twelve links of three events
    await appendOneByOne('tally-3', [orderPlaced('tally-3'), ...items('tally-3', 35)], 'Tally');
    // when following the chain within one minute
    api.setNow(new Date('2030-01-01T00:00:10Z'));
    const answers = await followChain(api, `/api/queries/temporal/tallies/tally-3?asOf=${LATER}`, admin);
    // then the eleventh request is refused with 429, and the chain resumes from its token in the next minute
    expect(answers.map((answer) => answer.status)).toEqual([...Array<number>(10).fill(200), 429]);
    expectProblem(answers[10] as Answer, 429, 'RATE_LIMITED');
    api.setNow(new Date('2030-01-01T00:01:10Z'));
    const resumed = await followChain(api, `/api/queries/temporal/tallies/tally-3?asOf=${LATER}`, admin, answers[9]?.body.continuation as string);
    expect(resumed.map((answer) => [answer.status, answer.body.complete])).toEqual([[200, false], [200, true]]);
  });

  it('logs every request with the principal, answered or refused', async () => {
    // given an order and a support agent without the history permission
    await appendOneByOne('order-9', [orderPlaced('order-9')]);
    // when an admin and the agent ask
    await api.request(`/api/queries/temporal/orders/order-9?asOf=${LATER}`, admin);
    await api.request(`/api/queries/temporal/orders/order-9?asOf=${LATER}`, await bearer('sam', 'support'));
    // then both requests are logged with who asked and what came of it
    const lines = api.logLines.filter((line) => typeof line.message === 'string' && line.message.startsWith('temporal query'));
    expect(lines).toEqual([
      expect.objectContaining({ message: 'temporal query', principal: 'root', aggregateType: 'Order', aggregateId: 'order-9', complete: true, eventsScanned: 1 }),
      expect.objectContaining({ message: 'temporal query failed', principal: 'sam', aggregateId: 'order-9', code: 'PERMISSION_DENIED' }),
    ]);
  });
});
