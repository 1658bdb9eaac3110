import { SqliteEventStore } from '../../../adapters/embedded';
import { CommandService, defineCommand, PayloadReader } from '../../../core/command';
import type { AggregateDefinition, CommandOf, CommandResult } from '../../../core/command';
import type { EventStore } from '../../../core/events/EventStore';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderUpcasters } from '../../../domain';
import type { OrderState } from '../../../domain';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { appendBarrier } from './eventStoreDecorators';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';

const NOW = new Date('2025-05-05T05:05:05.000Z');
const context = { correlationId: 'corr-1' };
const placeBody = { customerId: 'c-1', items: [{ sku: 'A-1', quantity: 2, unitPrice: 12.5 }] };

let env: SchemaEnvironment;
let store: SqliteEventStore;
let ids: number;

function serviceOn(eventStore: EventStore, aggregates: AggregateDefinition[] = [orderAggregate]): CommandService {
  return new CommandService({
    eventStore,
    codec: env.codec,
    upcasters: new UpcasterRegistry(orderUpcasters),
    aggregates,
    newId: () => `order-${(ids += 1)}`,
    clock: () => NOW,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to be refused');
}

async function storedTypes(aggregateId: string): Promise<string[]> {
  return (await store.readStream(aggregateId)).items.map((e) => e.eventType);
}

beforeEach(async () => {
  env = await createSchemaEnvironment();
  store = new SqliteEventStore(env.db, env.codec);
  ids = 0;
});

afterEach(() => env.db.close());

describe('CommandService', () => {
  it('places an order under a generated id, then cancels it', async () => {
    // given
    const service = serviceOn(store);
    // when
    const placed = await service.handle('PlaceOrder', placeBody, context);
    const cancelled = await service.handle('CancelOrder', { orderId: placed.aggregateId, reason: 'changed mind' }, { correlationId: 'corr-2' });
    // then
    expect(placed).toMatchObject({ aggregateId: 'order-1', version: 1, correlationId: 'corr-1' });
    expect(placed.eventIds).toHaveLength(1);
    expect(cancelled).toMatchObject({ aggregateId: 'order-1', version: 2, correlationId: 'corr-2' });
    expect(await storedTypes('order-1')).toEqual(['OrderPlaced', 'OrderCancelled']);
    const decoded = await env.codec.decode((await store.readStream('order-1')).items[1]?.payload ?? Buffer.alloc(0));
    expect(decoded.payload).toEqual({ orderId: 'order-1', reason: 'changed mind', cancelledAt: NOW.toISOString() });
  });

  it('writes the correlation id, causation id and metadata into every stored envelope', async () => {
    // given
    const service = serviceOn(store);
    // when
    const result = await service.handle('PlaceOrder', { ...placeBody, orderId: 'o-7' }, { correlationId: 'req-42', causationId: 'cmd-1', metadata: { user: 'ada' } });
    // then
    const [event] = (await store.readStream('o-7')).items;
    expect(event).toMatchObject({
      eventId: result.eventIds[0],
      eventType: 'OrderPlaced',
      schemaVersion: 2,
      aggregateType: 'Order',
      aggregateVersion: 1,
      correlationId: 'req-42',
      causationId: 'cmd-1',
      metadata: { user: 'ada' },
    });
  });

  it('accepts exactly one of two commands decided on the same expectedVersion', async () => {
    // given: two writers (as two processes would be) whose commands load version 1 before either appends
    const placed = await serviceOn(store).handle('PlaceOrder', placeBody, context);
    const barrier = appendBarrier(store, 2);
    const [left, right] = [serviceOn(barrier), serviceOn(barrier)];
    // when
    const outcomes = await Promise.allSettled([
      left.handle('AddItem', { orderId: placed.aggregateId, sku: 'PEN', quantity: 1, unitPrice: 2, expectedVersion: 1 }, context),
      right.handle('AddItem', { orderId: placed.aggregateId, sku: 'INK', quantity: 1, unitPrice: 3, expectedVersion: 1 }, context),
    ]);
    // then
    const fulfilled = outcomes.filter((o): o is PromiseFulfilledResult<CommandResult> => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(fulfilled[0]?.value.version).toBe(2);
    expect(rejected[0]?.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { expectedVersion: 1, actualVersion: 2 } });
    expect(await store.currentVersion(placed.aggregateId)).toBe(2);
  });

  it('refuses a stale expectedVersion before deciding, naming both versions', async () => {
    // given
    const service = serviceOn(store);
    const { aggregateId } = await service.handle('PlaceOrder', placeBody, context);
    await service.handle('AddItem', { orderId: aggregateId, sku: 'PEN', quantity: 1, unitPrice: 2, expectedVersion: 1 }, context);
    // when
    const error = await failure(service.handle('AddItem', { orderId: aggregateId, sku: 'INK', quantity: 1, unitPrice: 3, expectedVersion: 1 }, context));
    // then
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { aggregateId, expectedVersion: 1, actualVersion: 2 } });
    expect(await store.currentVersion(aggregateId)).toBe(2);
  });

  it('writes nothing for a command a business rule refuses', async () => {
    // given
    const service = serviceOn(store);
    const { aggregateId } = await service.handle('PlaceOrder', placeBody, context);
    await service.handle('CancelOrder', { orderId: aggregateId, reason: 'first' }, context);
    const head = await store.headPosition();
    // when
    const error = await failure(service.handle('CancelOrder', { orderId: aggregateId, reason: 'second' }, context));
    // then
    expect(error).toMatchObject({ code: 'DOMAIN_RULE_VIOLATION', rule: 'ORDER_ALREADY_CANCELLED' });
    expect(await store.headPosition()).toBe(head);
  });

  it.each([
    ['an unknown command type', 'ShipToMars', placeBody, { code: 'UNKNOWN_COMMAND', details: { commandType: 'ShipToMars' } }],
    ['an invalid field', 'PlaceOrder', { ...placeBody, items: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }, { code: 'INVALID_COMMAND', details: { field: 'items[0].quantity' } }],
    ['a negative expectedVersion', 'PlaceOrder', { ...placeBody, expectedVersion: -1 }, { code: 'INVALID_COMMAND', details: { field: 'expectedVersion' } }],
    ['a body that is not an object', 'PlaceOrder', 'PlaceOrder', { code: 'INVALID_COMMAND' }],
    ['a command on a missing order', 'ConfirmOrder', { orderId: 'nope' }, { code: 'DOMAIN_RULE_VIOLATION', rule: 'ORDER_NOT_FOUND' }],
  ])('refuses %s and writes nothing', async (_case, commandType, body, expected) => {
    // given
    const service = serviceOn(store);
    // when
    const error = await failure(service.handle(commandType, body, context));
    // then
    expect(error).toMatchObject(expected);
    expect(await store.headPosition()).toBe(0);
  });

  it('refuses an event without a registered schema, writing nothing', async () => {
    // given: an aggregate whose decider emits an event type the registry does not know
    const ping = defineCommand({
      commandType: 'Ping',
      aggregateIdField: 'id',
      createsAggregate: true,
      parse: (json) => {
        const body = PayloadReader.of(json);
        const data = { id: body.string('id') };
        body.end();
        return data;
      },
    });
    const pinger: AggregateDefinition<CommandOf<typeof ping>> = {
      aggregateType: 'Pinger',
      decider: { initialState: () => null, evolve: (state) => state, decide: (command) => [{ type: 'Pinged', data: { id: command.data.id } }] },
      commands: [ping],
    };
    const service = serviceOn(store, [pinger]);
    // when
    const error = await failure(service.handle('Ping', { id: 'p-1' }, context));
    // then
    expect(error).toMatchObject({ code: 'UNREGISTERED_EVENT' });
    expect(await store.headPosition()).toBe(0);
  });

  it('loads stored v1 events upcast to the latest version', async () => {
    // given: an OrderPlaced written at schema version 1 (USD only)
    await store.append(
      'legacy-1',
      0,
      [{ eventType: 'OrderPlaced', schemaVersion: 1, payload: { orderId: 'legacy-1', customerId: 'c-1', items: [{ sku: 'A', quantity: 1, unitPrice: 5 }], totalAmount: 5 } }],
      { aggregateType: 'Order', correlationId: 'import' },
    );
    const service = serviceOn(store);
    // when
    const { state, version } = await service.loadState<OrderState>(orderAggregate, 'legacy-1');
    const confirmed = await service.handle('ConfirmOrder', { orderId: 'legacy-1' }, context);
    // then
    expect(version).toBe(1);
    expect(state).toMatchObject({ status: 'PLACED', currency: 'USD', lines: [{ sku: 'A', quantity: 1, unitPrice: 5 }] });
    expect(confirmed.version).toBe(2);
  });

  it('loads an aggregate whose events span several pages', async () => {
    // given
    const service = serviceOn(store);
    const { aggregateId } = await service.handle('PlaceOrder', { ...placeBody, items: [] }, context);
    const added = Array.from({ length: 620 }, (_, i) => ({ eventType: 'OrderItemAdded', payload: { orderId: aggregateId, sku: `S-${i}`, quantity: 1, unitPrice: 1 } }));
    await store.append(aggregateId, 1, added, { aggregateType: 'Order', correlationId: 'bulk' });
    // when
    const { state, version } = await service.loadState<OrderState>(orderAggregate, aggregateId);
    // then
    expect(version).toBe(621);
    expect(state.status === 'NONE' ? 0 : state.lines.length).toBe(620);
  });
});
