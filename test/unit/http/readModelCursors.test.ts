/**
 * Issue 11, part 5: list cursors are opaque and bound to their query. A cursor cut short,
 * altered, or used with another query (filters, sort, order, resource type, caller) is refused
 * with 400 and a code saying which; a cursor stays good across processes with the same key.
 */
import Database from 'better-sqlite3';
import { SqliteEventStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { CommandService } from '../../../core/command';
import { createApi } from '../../../core/http';
import { ReadModelCursors } from '../../../core/http/readModelCursor';
import { silentLogger } from '../../../core/logging/Logger';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { bearer, securityFor } from '../auth/securedApi';
import { answerOf, expectProblem } from './apiFixture';
import type { TestApi } from './apiFixture';
import { getAs, shipment, shipmentNumbersOf, shipments, shipmentsApi } from './shipmentsFixture';

let api: TestApi;
let admin: Record<string, string>;
let alice: Record<string, string>;
let bob: Record<string, string>;

beforeAll(async () => {
  admin = await bearer('root', 'admin');
  alice = await bearer('alice', 'customer');
  bob = await bearer('bob', 'customer');
});

beforeEach(async () => {
  api = await shipmentsApi(6);
});

afterEach(() => api.close());

async function cursorOf(query: string, headers = admin): Promise<string> {
  const answer = await getAs(api, `/api/queries/shipments?${query}`, headers);
  expect(answer.body.nextCursor).toEqual(expect.any(String));
  return answer.body.nextCursor as string;
}

/** `cursor` with the character at `index` (negative: from the end) replaced by another base64url one. */
function withCharacterChanged(cursor: string, index: number): string {
  const at = index < 0 ? cursor.length + index : index;
  const changed = cursor[at] === 'A' ? 'B' : 'A';
  return `${cursor.slice(0, at)}${changed}${cursor.slice(at + 1)}`;
}

describe('a list cursor', () => {
  it('continues its query to the end, each document once', async () => {
    // given six shipments, two of them UPS
    // when following nextCursor one document at a time
    const seen: number[] = [];
    let query = 'carrier=DHL&sort=weightKg&order=desc&limit=1';
    for (let page = 0; page < 10; page += 1) {
      const answer = await getAs(api, `/api/queries/shipments?${query}`, admin);
      expect(answer.status).toBe(200);
      seen.push(...shipmentNumbersOf(answer.body));
      if (answer.body.nextCursor === undefined) break;
      query = `carrier=DHL&sort=weightKg&order=desc&limit=1&cursor=${encodeURIComponent(answer.body.nextCursor as string)}`;
    }
    // then
    expect(seen).toEqual([5, 4, 2, 1]);
  });

  it('does not depend on the order of the parameters', async () => {
    // given a cursor of carrier=DHL sorted by weight
    const cursor = await cursorOf('carrier=DHL&sort=weightKg&limit=1');
    // when the same query is asked with its parameters in another order
    const answer = await getAs(api, `/api/queries/shipments?cursor=${encodeURIComponent(cursor)}&limit=1&sort=weightKg&carrier=DHL`, admin);
    // then
    expect(answer.status).toBe(200);
  });

  it.each([
    ['cut short at the end', 'CURSOR_MALFORMED', (cursor: string) => cursor.slice(0, -3)],
    ['cut down to its first part', 'CURSOR_MALFORMED', (cursor: string) => cursor.slice(0, cursor.indexOf('.'))],
    ['with a separator removed', 'CURSOR_MALFORMED', (cursor: string) => cursor.replace('.', '')],
    ['with its position altered', 'CURSOR_TAMPERED', (cursor: string) => withCharacterChanged(cursor, 2)],
    ['with its query fingerprint altered', 'CURSOR_TAMPERED', (cursor: string) => withCharacterChanged(cursor, cursor.lastIndexOf('.') - 3)],
    ['with its tag altered', 'CURSOR_TAMPERED', (cursor: string) => withCharacterChanged(cursor, -1)],
    ['with another position spliced in', 'CURSOR_TAMPERED', (cursor: string) => `eyJzIjoxLCJpIjoicy05OSJ9${cursor.slice(cursor.indexOf('.'))}`],
  ])('%s is refused with 400 %s', async (_case, code, alter) => {
    // given a cursor of a query
    const cursor = await cursorOf('sort=weightKg&limit=2');
    // when it comes back altered with the same query
    const answer = await getAs(api, `/api/queries/shipments?sort=weightKg&limit=2&cursor=${encodeURIComponent(alter(cursor))}`, admin);
    // then
    expectProblem(answer, 400, code, 'cursor');
  });

  it.each([
    ['another filter', 'carrier=UPS&sort=weightKg&limit=2'],
    ['a filter added', 'express=true&carrier=DHL&sort=weightKg&limit=2'],
    ['another range', 'carrier=DHL&weightKg[gte]=1&sort=weightKg&limit=2'],
    ['another sort', 'carrier=DHL&sort=shippedAt&limit=2'],
    ['another order', 'carrier=DHL&sort=weightKg&order=desc&limit=2'],
  ])('used with %s is refused with 400 CURSOR_QUERY_MISMATCH', async (_case, otherQuery) => {
    // given a cursor of carrier=DHL sorted by weight
    const cursor = await cursorOf('carrier=DHL&sort=weightKg&limit=2');
    // when it is sent with another query
    const answer = await getAs(api, `/api/queries/shipments?${otherQuery}&cursor=${encodeURIComponent(cursor)}`, admin);
    // then
    expectProblem(answer, 400, 'CURSOR_QUERY_MISMATCH', 'cursor');
  });

  it('of one caller\'s own documents is refused for another caller (the query ran with another owner)', async () => {
    // given alice's cursor over her own shipments (s-1, s-3, s-5)
    const cursor = await cursorOf('limit=1', alice);
    // when bob sends it
    const answer = await getAs(api, `/api/queries/shipments?limit=1&cursor=${encodeURIComponent(cursor)}`, bob);
    // then
    expectProblem(answer, 400, 'CURSOR_QUERY_MISMATCH', 'cursor');
  });

  it('of another read model is refused with 400 CURSOR_QUERY_MISMATCH', async () => {
    // given the same position sealed for another resource type with the same query
    const cursors = new ReadModelCursors();
    const mine = await cursorOf('limit=1');
    const opened = cursors.open(mine);
    const foreign = cursors.seal(opened.inner, { resourceType: 'parcels', query: { where: {}, sortBy: 'shippedAt', direction: 'asc' } });
    // when
    const answer = await getAs(api, `/api/queries/shipments?limit=1&cursor=${encodeURIComponent(foreign)}`, admin);
    // then
    expectProblem(answer, 400, 'CURSOR_QUERY_MISMATCH', 'cursor');
  });
});

describe('an API given a cursor key from configuration', () => {
  it('refuses as tampered a cursor sealed with another key, and follows its own', async () => {
    // given an API whose cursors are sealed with a configured key, over the same shipments
    const env = await createSchemaEnvironment();
    const readDb = new Database(':memory:');
    const readModelStore = new SqliteReadModelStore(readDb);
    const eventStore = new SqliteEventStore(env.db, env.codec);
    const upcasters = new UpcasterRegistry();
    const commands = new CommandService({ eventStore, codec: env.codec, upcasters, aggregates: [orderAggregate], logger: silentLogger });
    const security = await securityFor(commands, [orderAggregate], silentLogger);
    const keyed = createApi({
      commands,
      readModels: [shipments],
      readModelStore,
      logger: silentLogger,
      security: security.security,
      history: { eventStore, codec: env.codec, upcasters, aggregate: orderAggregate },
      readModelCursorKey: 'a key from configuration',
    });
    for (let n = 1; n <= 6; n += 1) await readModelStore.collection('shipments').upsertIfNewer(`s-${n}`, 1, shipment(n));
    const foreignCursor = await cursorOf('limit=2');
    const ownCursor = ((await answerOf(await keyed.request('/api/queries/shipments?limit=2', { headers: admin }))).body.nextCursor as string);
    // when
    const foreign = await answerOf(await keyed.request(`/api/queries/shipments?limit=2&cursor=${encodeURIComponent(foreignCursor)}`, { headers: admin }));
    const own = await answerOf(await keyed.request(`/api/queries/shipments?limit=2&cursor=${encodeURIComponent(ownCursor)}`, { headers: admin }));
    security.close();
    env.db.close();
    readDb.close();
    // then
    expectProblem(foreign, 400, 'CURSOR_TAMPERED', 'cursor');
    expect(shipmentNumbersOf(own.body)).toEqual([3, 4]);
  });
});

describe('ReadModelCursors', () => {
  const binding = { resourceType: 'shipments', query: { where: { carrier: 'DHL' }, range: { weightKg: { gte: 1 } }, sortBy: 'weightKg', direction: 'asc' as const } };

  it('opens in another process a cursor sealed with the same key (restarts, other Lambda containers)', () => {
    // given a cursor sealed by one instance
    const cursor = new ReadModelCursors().seal('inner-position', binding);
    // when another instance opens it
    const other = new ReadModelCursors();
    const inner = other.innerFor(other.open(cursor), binding);
    // then
    expect(inner).toBe('inner-position');
  });

  it('with a configured key refuses a cursor sealed with another key as tampered', () => {
    // given a cursor sealed with the default key
    const cursor = new ReadModelCursors().seal('inner-position', binding);
    // when a server with its own key opens it
    const opening = (): unknown => new ReadModelCursors('a key from configuration').open(cursor);
    // then
    expect(opening).toThrow(expect.objectContaining({ code: 'CURSOR_TAMPERED', details: { field: 'cursor' } }) as Error);
  });

  it('keeps a store cursor that holds dots', () => {
    // given a store cursor with dots in it
    const cursors = new ReadModelCursors();
    // when
    const inner = cursors.innerFor(cursors.open(cursors.seal('a.b.c', binding)), binding);
    // then
    expect(inner).toBe('a.b.c');
  });
});
