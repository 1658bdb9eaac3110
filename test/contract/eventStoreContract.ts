import { EVENT_STORE_ERRORS } from '../../core/events/EventStore';
import type { EventStore, StoredEvent } from '../../core/events/EventStore';
import { EVENT_CODEC_ERRORS } from '../../core/schema/EventCodec';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced, steppingClock } from './eventFixtures';

/** An event store under test and how to release it. */
export interface EventStoreUnderTest {
  store: EventStore;
  close(): Promise<void>;
}

/** What the suite may ask of the factory; implementations without a clock option ignore it. */
export interface EventStoreContractOptions {
  /** Source of occurredAt; the time-range cases pass a clock that steps one minute per reading. */
  clock?: () => Date;
}

const T0 = '2030-01-01T00:00:00.000Z';
const minutes = (count: number): string => new Date(Date.parse(T0) + count * 60_000).toISOString();

/**
 * The EventStore contract; every implementation runs it (SQLite and DynamoDB). What only the
 * embedded log does (global positions, readAll, onAppend) is `eventLogContract.ts`. Each case
 * uses fresh aggregate ids, so a factory may hand out one shared store.
 */
export function describeEventStoreContract(name: string, factory: (options?: EventStoreContractOptions) => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;

    beforeEach(async () => {
      subject = await factory({ clock: steppingClock(T0, 60_000) });
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('appends events and reads them back in version order', async () => {
      // given a new aggregate
      const id = newAggregateId();
      const context = orderContext({ causationId: 'command-1', metadata: { user: 'alice' } });
      // when appending two events
      const result = await store.append(id, 0, [orderPlaced(id), orderItemAdded(id)], context);
      const page = await store.readStream(id);
      // then they come back with their envelope fields
      expect(result).toMatchObject({ aggregateId: id, version: 2 });
      expect(result.eventIds).toHaveLength(2);
      expect(page.nextCursor).toBeUndefined();
      expect(page.items.map(pick)).toEqual([
        { eventType: 'OrderPlaced', aggregateId: id, aggregateVersion: 1, aggregateType: 'Order', correlationId: context.correlationId },
        { eventType: 'OrderItemAdded', aggregateId: id, aggregateVersion: 2, aggregateType: 'Order', correlationId: context.correlationId },
      ]);
      expect(page.items.map((event) => event.eventId)).toEqual(result.eventIds);
      const [first] = page.items;
      expect(first?.causationId).toBe('command-1');
      expect(first?.metadata).toEqual({ user: 'alice' });
      expect(first?.schemaVersion).toBeGreaterThanOrEqual(1);
      expect(Number.isNaN(Date.parse(first?.occurredAt ?? ''))).toBe(false);
      expect(first?.record[0]).toBe(3);
      expect(first?.payload[0]).toBe(3);
    });

    it('appends several events atomically, one version each', async () => {
      // given an aggregate at version 1
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id)], orderContext());
      // when appending three events at once
      const result = await store.append(id, 1, [orderItemAdded(id, 'a'), orderItemAdded(id, 'b'), orderItemAdded(id, 'c')], orderContext());
      // then they take versions 2..4, in order, with the ids the append returned
      expect(result.version).toBe(4);
      const page = await store.readStream(id, { afterVersion: 1 });
      expect(page.items.map((event) => [event.aggregateVersion, event.eventId])).toEqual(result.eventIds.map((eventId, index) => [index + 2, eventId]));
      await expect(store.currentVersion(id)).resolves.toBe(4);
    });

    it('rejects an append at a stale version', async () => {
      // given an aggregate at version 1
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id)], orderContext());
      // when appending again at version 0
      const append = store.append(id, 0, [orderItemAdded(id)], orderContext());
      // then it conflicts, naming both versions, and nothing is written
      await expect(append).rejects.toMatchObject({
        code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT,
        details: { aggregateId: id, expectedVersion: 0, actualVersion: 1 },
      });
      await expect(append).rejects.toThrow(/0[\s\S]*1|1[\s\S]*0/);
      await expect(store.currentVersion(id)).resolves.toBe(1);
    });

    it('rejects an append ahead of the current version', async () => {
      // given a new aggregate
      const id = newAggregateId();
      // when appending as if it were at version 3
      const append = store.append(id, 3, [orderPlaced(id)], orderContext());
      // then it conflicts
      await expect(append).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT, details: { expectedVersion: 3, actualVersion: 0 } });
      await expect(store.currentVersion(id)).resolves.toBe(0);
    });

    it('lets exactly one of two concurrent appends at the same version win', async () => {
      // given an aggregate at version 1
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id)], orderContext());
      // when two writers append at version 1 at the same time
      const outcomes = await Promise.allSettled([
        store.append(id, 1, [orderItemAdded(id, 'left')], orderContext()),
        store.append(id, 1, [orderItemAdded(id, 'right')], orderContext()),
      ]);
      // then one wins and the other conflicts
      const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.reason).toMatchObject({ code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT });
      await expect(store.currentVersion(id)).resolves.toBe(2);
    });

    it('refuses an unregistered event type and writes nothing', async () => {
      // given a batch whose second event has no registered schema
      const id = newAggregateId();
      // when appending it
      const append = store.append(id, 0, [orderPlaced(id), { eventType: 'OrderTeleported', payload: { orderId: id } }], orderContext());
      // then the whole append is refused
      await expect(append).rejects.toMatchObject({ code: EVENT_CODEC_ERRORS.UNREGISTERED_EVENT });
      await expect(store.currentVersion(id)).resolves.toBe(0);
      await expect(store.readStream(id)).resolves.toEqual({ items: [] });
    });

    it('refuses an invalid payload naming the field, and writes nothing', async () => {
      // given an event whose quantity is not an int
      const id = newAggregateId();
      // when appending it
      const append = store.append(id, 0, [orderPlaced(id), orderItemAdded(id, 'x', { quantity: 'many' })], orderContext());
      // then it is refused with the field named
      await expect(append).rejects.toMatchObject({
        code: EVENT_CODEC_ERRORS.INVALID_EVENT_PAYLOAD,
        details: expect.objectContaining({ field: expect.stringContaining('quantity') }),
      });
      await expect(append).rejects.toThrow(/quantity/);
      await expect(store.readStream(id)).resolves.toEqual({ items: [] });
    });

    it('pages through a stream with an opaque cursor', async () => {
      // given an aggregate with five events
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id), ...['a', 'b', 'c', 'd'].map((sku) => orderItemAdded(id, sku))], orderContext());
      // when reading two at a time
      const first = await store.readStream(id, { limit: 2 });
      const second = await store.readStream(id, { limit: 2, cursor: first.nextCursor });
      const third = await store.readStream(id, { limit: 2, cursor: second.nextCursor });
      // then the pages cover versions 1..5 once, and the last has no cursor
      expect([first, second, third].flatMap((page) => page.items.map((event) => event.aggregateVersion))).toEqual([1, 2, 3, 4, 5]);
      expect(typeof first.nextCursor).toBe('string');
      expect(third.nextCursor).toBeUndefined();
    });

    it('reads a stream after a version', async () => {
      // given an aggregate with three events
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id), orderItemAdded(id, 'a'), orderItemAdded(id, 'b')], orderContext());
      // when reading after version 1
      const page = await store.readStream(id, { afterVersion: 1 });
      // then versions 2 and 3 come back
      expect(page.items.map((event) => event.aggregateVersion)).toEqual([2, 3]);
    });

    it('bounds a read after a version by its limit, with a cursor only when more events follow', async () => {
      // given an aggregate with five events (temporal queries page by version under an event cap)
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id), ...['a', 'b', 'c', 'd'].map((sku) => orderItemAdded(id, sku))], orderContext());
      // when reading three after versions 1, 2 and 5
      const middle = await store.readStream(id, { afterVersion: 1, limit: 3 });
      const tail = await store.readStream(id, { afterVersion: 2, limit: 3 });
      const past = await store.readStream(id, { afterVersion: 5, limit: 3 });
      // then a page that ends exactly at the last event carries no cursor
      expect(middle.items.map((event) => event.aggregateVersion)).toEqual([2, 3, 4]);
      expect(typeof middle.nextCursor).toBe('string');
      expect(tail.items.map((event) => event.aggregateVersion)).toEqual([3, 4, 5]);
      expect(tail.nextCursor).toBeUndefined();
      expect(past).toEqual({ items: [] });
    });

    it('refuses a malformed cursor, naming it', async () => {
      // given an aggregate
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id)], orderContext());
      // when reading with a cursor the store never issued
      const read = store.readStream(id, { cursor: 'garbage%%' });
      // then it is refused
      await expect(read).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.INVALID_READ });
      await expect(read).rejects.toThrow(/garbage%%/);
    });

    it('reads a time range [from, to) in time order, page by page', async () => {
      // given one event per minute from T0 on two aggregates: a@0, b@1, a@2, b@3, a@4
      const a = newAggregateId();
      const b = newAggregateId();
      await store.append(a, 0, [orderPlaced(a)], orderContext());
      await store.append(b, 0, [orderPlaced(b)], orderContext());
      await store.append(a, 1, [orderItemAdded(a)], orderContext());
      await store.append(b, 1, [orderItemAdded(b)], orderContext());
      await store.append(a, 2, [orderItemAdded(a, 'z')], orderContext());
      // when reading [minute 1, minute 4) two at a time, and only aggregate a over everything
      const first = await store.readByTimeRange({ from: minutes(1), to: minutes(4), limit: 2 });
      const second = await store.readByTimeRange({ from: minutes(1), to: minutes(4), limit: 2, cursor: first.nextCursor });
      const ofA = await store.readByTimeRange({ from: minutes(0), to: minutes(60), aggregateId: a });
      // then minutes 1, 2, 3 come back in order (the upper bound excluded)
      const inRange = [...first.items, ...second.items];
      expect(inRange.map((event) => [event.aggregateId, event.aggregateVersion])).toEqual([[b, 1], [a, 2], [b, 2]]);
      expect(inRange.map((event) => event.occurredAt)).toEqual([minutes(1), minutes(2), minutes(3)]);
      expect(second.nextCursor).toBeUndefined();
      expect(ofA.items.map((event) => event.aggregateVersion)).toEqual([1, 2, 3]);
    });

    it('refuses an invalid time range', async () => {
      // given a store
      // when the bounds are not times or are reversed
      // then the read is refused
      await expect(store.readByTimeRange({ from: 'yesterday', to: minutes(1) })).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.INVALID_READ });
      await expect(store.readByTimeRange({ from: minutes(5), to: minutes(1) })).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.INVALID_READ });
    });

    it('keeps the envelope record byte for byte, the same through every read', async () => {
      // given an appended event
      const id = newAggregateId();
      await store.append(id, 0, [orderPlaced(id)], orderContext());
      // when reading it by stream and by time range
      const [byStream] = (await store.readStream(id)).items;
      const [byTime] = (await store.readByTimeRange({ from: minutes(-60), to: minutes(24 * 60), aggregateId: id })).items;
      // then both carry the same Glue-framed envelope, whose fields are the event's
      expect(byStream?.record.toString('hex')).toBe(byTime?.record.toString('hex'));
      expect(byStream?.record.subarray(0, 2)).toEqual(Buffer.from([3, 0]));
      expect(byStream?.payload.length).toBeGreaterThan(18);
      expect(byStream?.record.includes(byStream.payload)).toBe(true);
    });

    it('reads an aggregate with no events as version 0 and an empty page', async () => {
      // given an id nothing was appended to
      const id = newAggregateId();
      // when reading it
      const page = await store.readStream(id);
      const version = await store.currentVersion(id);
      // then it is empty
      expect(page).toEqual({ items: [] });
      expect(version).toBe(0);
    });
  });
}

function pick(event: StoredEvent): Record<string, unknown> {
  const { eventType, aggregateId, aggregateVersion, aggregateType, correlationId } = event;
  return { eventType, aggregateId, aggregateVersion, aggregateType, correlationId };
}
