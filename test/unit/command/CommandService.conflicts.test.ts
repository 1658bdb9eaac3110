import { SqliteEventStore, SqliteIdempotencyStore } from '../../../adapters/embedded';
import { CommandService } from '../../../core/command';
import type { CommandResult, CommandServiceDependencies } from '../../../core/command';
import type { EventStore } from '../../../core/events/EventStore';
import type { IdempotencyClaim } from '../../../core/idempotency/IdempotencyStore';
import { createJsonLogger } from '../../../core/logging/Logger';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderUpcasters } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { appendBarrier, racedBy } from './eventStoreDecorators';

type Json = Record<string, unknown>;

const placeBody = { customerId: 'c-1', items: [{ sku: 'A-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' };
const addItem = (orderId: string, sku: string, extra: Json = {}): Json => ({ orderId, sku, quantity: 1, unitPrice: 2, ...extra });

let env: SchemaEnvironment;
let logLines: Json[];

beforeEach(async () => {
  env = await createSchemaEnvironment();
  logLines = [];
});

afterEach(() => env.db.close());

function serviceOn(eventStore: EventStore, options: Partial<CommandServiceDependencies> = {}): CommandService {
  return new CommandService({
    eventStore,
    codec: env.codec,
    upcasters: new UpcasterRegistry(orderUpcasters),
    aggregates: [orderAggregate],
    logger: createJsonLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Json) }),
    conflictRetry: { initialBackoffMs: 1, maxBackoffMs: 4 },
    ...options,
  });
}

function logged(message: string): Json[] {
  return logLines.filter((line) => line.message === message);
}

async function placeOrder(store: EventStore): Promise<string> {
  return (await serviceOn(store).handle('PlaceOrder', placeBody, { correlationId: 'place' })).aggregateId;
}

describe('CommandService under contention', () => {
  it.each([
    ['alone', false],
    ['with group commit', true],
  ])('accepts 24 concurrent AddItems on one order without expectedVersion (appends %s)', async (_mode, groupCommit) => {
    // given an order and one service
    const store = new SqliteEventStore(env.db, env.codec, { groupCommit });
    const orderId = await placeOrder(store);
    const service = serviceOn(store);
    // when 24 AddItems arrive at once
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => service.handle('AddItem', addItem(orderId, `S-${i}`), { correlationId: `add-${i}` })),
    );
    // then every one is stored, each at its own version, and none had to be decided twice
    const versions = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.version : outcome.reason));
    expect([...versions].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 24 }, (_, i) => i + 2));
    expect(await store.currentVersion(orderId)).toBe(25);
    expect(logged('command conflicted; deciding again')).toEqual([]);
  });

  it.each([
    ['alone', false],
    ['with group commit', true],
  ])('decides again and stores a command that lost the race to another writer (appends %s)', async (_mode, groupCommit) => {
    // given two writers (as two processes would be) whose AddItems both decide on version 1
    const store = new SqliteEventStore(env.db, env.codec, { groupCommit });
    const orderId = await placeOrder(store);
    const barrier = appendBarrier(store, 2);
    const [left, right] = [serviceOn(barrier), serviceOn(barrier)];
    // when both append
    const results = await Promise.all([
      left.handle('AddItem', addItem(orderId, 'PEN'), { correlationId: 'left' }),
      right.handle('AddItem', addItem(orderId, 'INK'), { correlationId: 'right' }),
    ]);
    // then both are stored: the loser was decided again on version 2
    expect(results.map((result) => result.version).sort()).toEqual([2, 3]);
    expect(await store.currentVersion(orderId)).toBe(3);
    expect(logged('command conflicted; deciding again')).toHaveLength(1);
  });

  it('answers a business rule that refuses the command on the newer state', async () => {
    // given an AddItem decided on a placed order, which another writer cancels before the append
    const store = new SqliteEventStore(env.db, env.codec);
    const orderId = await placeOrder(store);
    const other = serviceOn(store);
    const raced = racedBy(store, () => other.handle('CancelOrder', { orderId, reason: 'changed mind' }, { correlationId: 'other' }), 1);
    // when
    const outcome = serviceOn(raced).handle('AddItem', addItem(orderId, 'PEN'), { correlationId: 'late' });
    // then the refusal is about the cancelled order, not a conflict, and nothing more is stored
    await expect(outcome).rejects.toMatchObject({ code: 'DOMAIN_RULE_VIOLATION', rule: 'ORDER_ALREADY_CANCELLED' });
    expect(await store.currentVersion(orderId)).toBe(2);
  });

  it('gives up with the conflict after maxAttempts', async () => {
    // given an AddItem whose every append is overtaken by another writer's
    const store = new SqliteEventStore(env.db, env.codec);
    const orderId = await placeOrder(store);
    const other = serviceOn(store);
    const raced = racedBy(store, (round) => other.handle('AddItem', addItem(orderId, `OTHER-${round}`), { correlationId: 'other' }));
    // when
    const outcome = serviceOn(raced, { conflictRetry: { maxAttempts: 3, initialBackoffMs: 1 } }).handle('AddItem', addItem(orderId, 'MINE'), { correlationId: 'mine' });
    // then it tried three times and answers the last conflict
    await expect(outcome).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { expectedVersion: 3, actualVersion: 4 } });
    expect(raced.rounds()).toBe(3);
    expect(logged('command conflicted on every attempt')).toEqual([expect.objectContaining({ attempt: 3, aggregateId: orderId })]);
    expect(await store.currentVersion(orderId)).toBe(4);
  });

  it('never retries a command sent with expectedVersion', async () => {
    // given an AddItem at expectedVersion 1 whose append is overtaken by another writer's
    const store = new SqliteEventStore(env.db, env.codec);
    const orderId = await placeOrder(store);
    const other = serviceOn(store);
    const raced = racedBy(store, () => other.handle('AddItem', addItem(orderId, 'OTHER'), { correlationId: 'other' }));
    // when
    const outcome = serviceOn(raced).handle('AddItem', addItem(orderId, 'MINE', { expectedVersion: 1 }), { correlationId: 'mine' });
    // then it fails at once, as it always did
    await expect(outcome).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { aggregateId: orderId, expectedVersion: 1, actualVersion: 2 } });
    expect(raced.rounds()).toBe(1);
    expect(logged('command conflicted; deciding again')).toEqual([]);
  });

  it('completes an idempotency claim with the append that succeeds, storing the command once', async () => {
    // given a claimed key and an AddItem whose first append is overtaken by another writer's
    const store = new SqliteEventStore(env.db, env.codec);
    const idempotency = new SqliteIdempotencyStore(env.db);
    const orderId = await placeOrder(store);
    const other = serviceOn(store);
    const raced = racedBy(store, () => other.handle('AddItem', addItem(orderId, 'OTHER'), { correlationId: 'other' }), 1);
    const request = { clientId: 'web', key: 'k-1', fingerprint: 'f-1' };
    const claimed = await idempotency.claim(request);
    const claim = (claimed as { claim: IdempotencyClaim }).claim;
    // when the command runs with the claim
    const result = await serviceOn(raced).handle('AddItem', addItem(orderId, 'MINE'), {
      correlationId: 'mine',
      idempotency: { claim, response: (outcome: CommandResult) => ({ status: 202, contentType: 'application/json', body: JSON.stringify(outcome) }) },
    });
    // then the command is stored once, and the key answers with the result of the append that stored it
    const mine = (await store.readStream(orderId)).items.filter((event) => event.correlationId === 'mine');
    expect(mine.map((event) => event.aggregateVersion)).toEqual([3]);
    expect(result).toMatchObject({ version: 3, eventIds: [mine[0]?.eventId] });
    expect(await idempotency.claim(request)).toEqual({ outcome: 'replay', response: { status: 202, contentType: 'application/json', body: JSON.stringify(result) } });
  });

  it('refuses a maxAttempts below 1 at setup', () => {
    // given / when / then
    expect(() => serviceOn(new SqliteEventStore(env.db, env.codec), { conflictRetry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
