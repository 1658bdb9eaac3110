import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { SqliteEventStore, SqliteIdempotencyStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { CommandService, defineCommand, PayloadReader } from '../../../core/command';
import type { AggregateDefinition, CommandOf } from '../../../core/command';
import { createApi } from '../../../core/http';
import { requestFingerprint } from '../../../core/idempotency';
import { createJsonLogger } from '../../../core/logging/Logger';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderListReadModel, orderUpcasters } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { securityFor, TEST_SECRET } from '../auth/securedApi';

type Json = Record<string, unknown>;
type Api = ReturnType<typeof createApi>;
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

const LEASE_MS = 10_000;
const order = { customerId: 'c-1', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' };

/** A command whose decider appends nothing ('noop') or fails the way a bug would until told otherwise ('flaky'). */
const probe = defineCommand({
  commandType: 'Probe',
  aggregateIdField: 'id',
  createsAggregate: true,
  parse: (json) => {
    const body = PayloadReader.of(json);
    const data = { id: body.string('id'), mode: body.string('mode') };
    body.end();
    return data;
  },
});
let probeFailures = 0;
const probeAggregate: AggregateDefinition<CommandOf<typeof probe>> = {
  aggregateType: 'Probe',
  decider: {
    initialState: () => null,
    evolve: (state) => state,
    decide: ({ data }) => {
      if (data.mode === 'flaky' && probeFailures > 0) {
        probeFailures -= 1;
        throw new Error('transient internal failure');
      }
      return [];
    },
  },
  commands: [probe],
};

let env: SchemaEnvironment;
let store: SqliteEventStore;
let idempotency: SqliteIdempotencyStore;
let readDb: Database.Database;
let nowMs: number;
let closeSecurity: () => void;
let app: Api;

async function tokenOf(subject: string, clientId?: string): Promise<Record<string, string>> {
  const jwt = await new SignJWT({ roles: ['admin'], ...(clientId === undefined ? {} : { azp: clientId }) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_SECRET));
  return { authorization: `Bearer ${jwt}` };
}

async function buildApp(withIdempotency = true): Promise<Api> {
  const logger = createJsonLogger({ level: 'error', write: () => undefined });
  const aggregates = [orderAggregate, probeAggregate];
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const commands = new CommandService({ eventStore: store, codec: env.codec, upcasters, aggregates, logger });
  const { security, close } = await securityFor(commands, aggregates, logger);
  closeSecurity = close;
  return createApi({
    commands,
    readModels: [orderListReadModel],
    readModelStore: new SqliteReadModelStore(readDb),
    logger,
    security,
    history: { eventStore: store, codec: env.codec, upcasters, aggregate: orderAggregate },
    ...(withIdempotency ? { idempotency } : {}),
  });
}

beforeEach(async () => {
  env = await createSchemaEnvironment();
  store = new SqliteEventStore(env.db, env.codec);
  nowMs = Date.parse('2030-01-01T00:00:00.000Z');
  idempotency = new SqliteIdempotencyStore(env.db, { clock: () => new Date(nowMs), leaseMs: LEASE_MS });
  readDb = new Database(':memory:');
  probeFailures = 0;
  app = await buildApp();
});

afterEach(() => {
  closeSecurity();
  env.db.close();
  readDb.close();
});

async function post(commandType: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const response = await app.request(`/api/commands/${commandType}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(headers.authorization ? {} : await tokenOf('root')), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Json };
}

const keyed = (key: string, extra: Record<string, string> = {}): Record<string, string> => ({ 'idempotency-key': key, ...extra });

async function placeOrder(): Promise<string> {
  return (await post('PlaceOrder', order, {})).body.aggregateId as string;
}

describe('POST /api/commands with Idempotency-Key', () => {
  it('runs a command once and replays its response to a retry with the same key', async () => {
    // given a PlaceOrder without an orderId (the server makes one up) sent with a key
    const first = await post('PlaceOrder', order, keyed('place-1'));
    // when the client retries it
    const retry = await post('PlaceOrder', order, keyed('place-1'));
    // then the retry gets the same status and body, marked as a replay, and one order exists
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.status).toBe(202);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await store.headPosition()).toBe(1);
  });

  it('stores a retried AddItem once', async () => {
    // given an order
    const orderId = await placeOrder();
    const addItem = { orderId, sku: 'PEN', quantity: 1, unitPrice: 2 };
    // when an AddItem is sent three times with one key
    const answers = [await post('AddItem', addItem, keyed('add-1')), await post('AddItem', addItem, keyed('add-1')), await post('AddItem', addItem, keyed('add-1'))];
    // then the order gained one item
    expect(answers.map((answer) => [answer.status, answer.body.version])).toEqual([[202, 2], [202, 2], [202, 2]]);
    expect(await store.currentVersion(orderId)).toBe(2);
  });

  it('treats a body with its members in another order as the same request', async () => {
    // given
    const first = await post('PlaceOrder', '{"customerId":"c-1","currency":"EUR","items":[{"sku":"B","quantity":1,"unitPrice":3}]}', keyed('order-of-members'));
    // when
    const retry = await post('PlaceOrder', '{ "items": [{"unitPrice":3,"sku":"B","quantity":1}], "currency":"EUR", "customerId":"c-1" }', keyed('order-of-members'));
    // then
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
  });

  it('refuses the key with 422 for a different body, naming the header', async () => {
    // given a key used for one order
    await post('PlaceOrder', order, keyed('k-reused'));
    // when it comes with another body, or for another command
    const otherBody = await post('PlaceOrder', { ...order, customerId: 'c-2' }, keyed('k-reused'));
    const otherCommand = await post('CancelOrder', { orderId: 'o-1', reason: 'x' }, keyed('k-reused'));
    // then both are refused and nothing more is stored
    for (const answer of [otherBody, otherCommand]) {
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key', status: 422 });
    }
    expect(await store.headPosition()).toBe(1);
  });

  it('answers 409 while the first request with the key still runs, and runs a retry once its lease ran out', async () => {
    // given the key claimed by a request still running (or whose server crashed before answering)
    const orderId = await placeOrder();
    const addItem = { orderId, sku: 'PEN', quantity: 1, unitPrice: 2 };
    const fingerprint = requestFingerprint({ operation: 'AddItem', subject: 'root', body: addItem });
    await idempotency.claim({ clientId: 'root', key: 'k-running', fingerprint });
    // when a retry comes during the lease, and another after it
    const during = await post('AddItem', addItem, keyed('k-running'));
    nowMs += LEASE_MS;
    const after = await post('AddItem', addItem, keyed('k-running'));
    // then the first is told to wait, the second runs the command once
    expect(during.status).toBe(409);
    expect(during.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', field: 'Idempotency-Key', retryAfterSeconds: 10 });
    expect(during.headers.get('retry-after')).toBe('10');
    expect(after.status).toBe(202);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(await store.currentVersion(orderId)).toBe(2);
  });

  it('stores a refusal by the command and replays it', async () => {
    // given a cancelled order
    const orderId = await placeOrder();
    await post('CancelOrder', { orderId, reason: 'first' }, keyed('cancel-1'));
    // when a second cancellation is refused, and retried with its key
    const refused = await post('CancelOrder', { orderId, reason: 'second' }, keyed('cancel-2'));
    const retry = await post('CancelOrder', { orderId, reason: 'second' }, keyed('cancel-2'));
    // then the retry replays the refusal as it was first sent
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_ALREADY_CANCELLED');
    expect(retry.status).toBe(409);
    expect(retry.text).toBe(refused.text);
    expect(retry.headers.get('content-type')).toContain('application/problem+json');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('releases the key after a server error, so that a retry runs the command', async () => {
    // given a command that fails once the way a bug or an outage would
    probeFailures = 1;
    const body = { id: 'p-1', mode: 'flaky' };
    // when it is sent, retried, and retried again
    const failed = await post('Probe', body, keyed('k-flaky'));
    const retried = await post('Probe', body, keyed('k-flaky'));
    const replayed = await post('Probe', body, keyed('k-flaky'));
    // then the retry ran (no replay of the 500) and its answer is the one kept
    expect(failed.status).toBe(500);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.text).toBe(retried.text);
  });

  it('does not store a concurrency conflict: a retry decides again', async () => {
    // given an order at version 2, and an AddItem that expected version 1
    const orderId = await placeOrder();
    await post('AddItem', { orderId, sku: 'A', quantity: 1, unitPrice: 1 }, {});
    const stale = { orderId, sku: 'B', quantity: 1, unitPrice: 1, expectedVersion: 1 };
    // when it is sent and retried with its key
    const first = await post('AddItem', stale, keyed('k-stale'));
    const retry = await post('AddItem', stale, keyed('k-stale'));
    // then both are answered by the command, not from the store
    expect([first.status, retry.status]).toEqual([409, 409]);
    expect(retry.body.code).toBe('CONCURRENCY_CONFLICT');
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('stores the answer of a command that appended nothing', async () => {
    // given a command whose decider decides no events
    const body = { id: 'p-2', mode: 'noop' };
    // when it is sent twice with a key
    const first = await post('Probe', body, keyed('k-noop'));
    const retry = await post('Probe', body, keyed('k-noop'));
    // then
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ aggregateId: 'p-2', version: 0, eventIds: [] });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
  });

  it('keeps keys apart per client', async () => {
    // given two clients that happen to pick the same key
    const web = await tokenOf('alice', 'web');
    const mobile = await tokenOf('alice', 'mobile');
    // when both place an order with it
    const fromWeb = await post('PlaceOrder', order, keyed('shared', web));
    const fromMobile = await post('PlaceOrder', order, keyed('shared', mobile));
    // then both orders are placed
    expect(fromMobile.headers.get('idempotent-replayed')).toBeNull();
    expect(fromMobile.body.aggregateId).not.toBe(fromWeb.body.aggregateId);
    expect(await store.headPosition()).toBe(2);
  });

  it('never replays the response of one subject to another subject of the same client', async () => {
    // given alice's order placed through client web with a key
    await post('PlaceOrder', order, keyed('k-subject', await tokenOf('alice', 'web')));
    // when bob, through the same client, sends the same body with the same key
    const bob = await post('PlaceOrder', order, keyed('k-subject', await tokenOf('bob', 'web')));
    // then he is refused instead of being shown alice's result
    expect(bob.status).toBe(422);
    expect(bob.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('accepts the key as a quoted string, as the IETF draft writes it', async () => {
    // given
    const first = await post('PlaceOrder', order, keyed('"8e03978e-40d5-43e8-bc93-6894a57f9324"'));
    // when the retry sends it bare
    const retry = await post('PlaceOrder', order, keyed('8e03978e-40d5-43e8-bc93-6894a57f9324'));
    // then it is the same key
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not ASCII', 'cl\u00e9'],
    ['an empty quoted string', '""'],
    ['an unterminated quote', '"abc'],
    ['a space in a bare key', 'a b'],
  ])('refuses a key that is %s with 400 naming the header', async (_case, key) => {
    // given / when
    const answer = await post('PlaceOrder', order, keyed(key));
    // then
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'INVALID_HEADER', field: 'Idempotency-Key' });
    expect(await store.headPosition()).toBe(0);
  });

  it('refuses a key when the API keeps none, rather than ignoring it', async () => {
    // given an API built without an idempotency store
    closeSecurity();
    app = await buildApp(false);
    // when
    const answer = await post('PlaceOrder', order, keyed('k-1'));
    // then
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'INVALID_HEADER', field: 'Idempotency-Key' });
    expect(await store.headPosition()).toBe(0);
  });
});
