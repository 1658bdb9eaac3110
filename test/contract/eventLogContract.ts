import type { LoggedEventStore } from '../../core/events/EventLog';
import { EVENT_CODEC_ERRORS } from '../../core/schema/EventCodec';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from './eventFixtures';

/** A store that keeps the global event log, and how to release it. */
export interface EventLogUnderTest {
  store: LoggedEventStore;
  close(): Promise<void>;
}

/**
 * The EventLog contract: what a store with a global, gap-free log adds to the EventStore
 * contract (positions, readAll, headPosition, onAppend). The embedded store runs it; DynamoDB
 * has no global log (see core/events/EventLog.ts) and runs only the EventStore contract.
 */
export function describeEventLogContract(name: string, factory: () => Promise<EventLogUnderTest>): void {
  describe(`EventLog contract: ${name}`, () => {
    let subject: EventLogUnderTest;
    let store: LoggedEventStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('gives an append consecutive positions, the ones its events are read back with', async () => {
      // given an aggregate at version 1
      const id = newAggregateId();
      const first = await store.append(id, 0, [orderPlaced(id)], orderContext());
      // when appending three events at once
      const result = await store.append(id, 1, [orderItemAdded(id, 'a'), orderItemAdded(id, 'b'), orderItemAdded(id, 'c')], orderContext());
      // then they take the next consecutive positions, and reads carry them
      const [p1] = first.positions;
      expect(result.positions).toEqual([(p1 ?? 0) + 1, (p1 ?? 0) + 2, (p1 ?? 0) + 3]);
      const page = await store.readStream(id);
      expect(page.items.map((event) => event.position)).toEqual([...first.positions, ...result.positions]);
    });

    it('reads all events with gap-free, increasing positions across aggregates', async () => {
      // given appends to two aggregates
      const head = await store.headPosition();
      const a = newAggregateId();
      const b = newAggregateId();
      await store.append(a, 0, [orderPlaced(a)], orderContext());
      await store.append(b, 0, [orderPlaced(b), orderItemAdded(b)], orderContext());
      await store.append(a, 1, [orderItemAdded(a)], orderContext());
      // when reading everything after the old head
      const events = await store.readAll(head, 100);
      const limited = await store.readAll(head, 2);
      // then positions run head+1..head+4 in commit order
      expect(events.map((event) => event.position)).toEqual([head + 1, head + 2, head + 3, head + 4]);
      expect(events.map((event) => event.aggregateId)).toEqual([a, b, b, a]);
      expect(limited.map((event) => event.position)).toEqual([head + 1, head + 2]);
      await expect(store.headPosition()).resolves.toBe(head + 4);
    });

    it('does not move the head for a refused append', async () => {
      // given the head, and a batch whose second event has no registered schema
      const id = newAggregateId();
      const head = await store.headPosition();
      // when appending it
      const append = store.append(id, 0, [orderPlaced(id), { eventType: 'OrderTeleported', payload: { orderId: id } }], orderContext());
      // then it is refused and the log has nothing new
      await expect(append).rejects.toMatchObject({ code: EVENT_CODEC_ERRORS.UNREGISTERED_EVENT });
      await expect(store.readAll(head, 10)).resolves.toEqual([]);
      await expect(store.headPosition()).resolves.toBe(head);
    });

    it('notifies onAppend listeners after a commit until unsubscribed', async () => {
      // given a listener that reads the head when called
      const heads: Promise<number>[] = [];
      const unsubscribe = store.onAppend(() => heads.push(store.headPosition()));
      const id = newAggregateId();
      // when appending, unsubscribing, appending again
      const result = await store.append(id, 0, [orderPlaced(id)], orderContext());
      await settle();
      unsubscribe();
      await store.append(id, 1, [orderItemAdded(id)], orderContext());
      await settle();
      // then it was called once, after the first commit was visible
      expect(heads).toHaveLength(1);
      expect(await heads[0]).toBeGreaterThanOrEqual(result.positions[0] ?? Number.POSITIVE_INFINITY);
    });

    it('does not let a throwing onAppend listener fail the append', async () => {
      // given a listener that throws and one that counts
      let calls = 0;
      const unsubscribeThrowing = store.onAppend(() => {
        throw new Error('listener bug');
      });
      const unsubscribeCounting = store.onAppend(() => {
        calls += 1;
      });
      const id = newAggregateId();
      // when appending
      const result = await store.append(id, 0, [orderPlaced(id)], orderContext());
      await settle();
      unsubscribeThrowing();
      unsubscribeCounting();
      // then the append succeeded and the other listener still ran
      expect(result.version).toBe(1);
      expect(calls).toBe(1);
    });
  });
}

/** Lets listeners scheduled with queueMicrotask or setImmediate run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
