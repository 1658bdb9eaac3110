import Database from 'better-sqlite3';
import { concat, from, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import type { ReadModelCollection } from '../../../core/readmodel/ReadModelStore';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import { project } from '../../../operators';
import type { ProjectionReducer } from '../../../operators';
import { pipelineEvent } from './pipelineFixtures';
import { settle } from './settle';
import { asyncOnly } from '../../support/asyncOnlyCollection';

interface OrderSummary {
  status: string;
  lines: number;
}

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe.each([
  // A synchronous store applies each event as it arrives; an async one after a promise, outside virtual time.
  ['a store that answers synchronously (map)', <T>(collection: ReadModelCollection<T>): ReadModelCollection<T> => collection, '-x'],
  ['an async-only store (concatMap)', asyncOnly, ''],
])('project into %s', (_label, view, emittedBeforeUnsubscribe) => {
  let db: Database.Database;
  let orders: ReadModelCollection<OrderSummary>;
  let reducerCalls: number;
  const reducer: ProjectionReducer<OrderSummary> = (current, event) => {
    reducerCalls += 1;
    if (event.eventType === 'OrderCancelled') return null;
    if (event.eventType === 'OrderItemAdded') return { status: current?.status ?? 'PLACED', lines: (current?.lines ?? 0) + 1 };
    return { status: 'PLACED', lines: 1 };
  };
  const placed = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 1 });
  const added = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderItemAdded' });
  const cancelled = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 3, eventType: 'OrderCancelled' });

  beforeEach(() => {
    db = new Database(':memory:');
    orders = view(new SqliteReadModelStore(db).collection<OrderSummary>('orders'));
    reducerCalls = 0;
  });

  afterEach(() => db.close());

  it('folds events into the document of their aggregate at their aggregate version', async () => {
    // given
    const events = [placed, added, pipelineEvent({ aggregateId: 'order-2' })];
    // when
    const result = await settle(from(events).pipe(project(orders, reducer)));
    // then
    expect(result).toEqual({
      values: [
        { id: 'order-1', version: 1, eventId: 'event-order-1-1', applied: true, document: { status: 'PLACED', lines: 1 } },
        { id: 'order-1', version: 2, eventId: 'event-order-1-2', applied: true, document: { status: 'PLACED', lines: 2 } },
        { id: 'order-2', version: 1, eventId: 'event-order-2-1', applied: true, document: { status: 'PLACED', lines: 1 } },
      ],
      completed: true,
    });
    expect(await orders.get('order-1')).toEqual({ id: 'order-1', version: 2, data: { status: 'PLACED', lines: 2 } });
  });

  it('treats duplicates and replays as no-ops without calling the reducer', async () => {
    // given
    await settle(from([placed, added]).pipe(project(orders, reducer)));
    reducerCalls = 0;
    // when
    const result = await settle(from([placed, added, added]).pipe(project(orders, reducer)));
    // then
    expect(result.values.map((outcome) => outcome.applied)).toEqual([false, false, false]);
    expect(reducerCalls).toBe(0);
    expect((await orders.get('order-1'))?.data).toEqual({ status: 'PLACED', lines: 2 });
  });

  it('gives a redelivered event the document it wrote (not applied), and an older one nothing', async () => {
    // given the document at version 2
    await settle(from([placed, added]).pipe(project(orders, reducer)));
    // when both events come again
    const result = await settle(from([placed, added]).pipe(project(orders, reducer)));
    // then neither applies; the one that wrote version 2 carries the document as it stands
    expect(result.values).toEqual([
      { id: 'order-1', version: 1, eventId: 'event-order-1-1', applied: false },
      { id: 'order-1', version: 2, eventId: 'event-order-1-2', applied: false, document: { status: 'PLACED', lines: 2 } },
    ]);
  });

  it('deletes the document when the reducer returns null, and says the outcome deleted it', async () => {
    // given
    const events = [placed, cancelled];
    // when
    const result = await settle(from(events).pipe(project(orders, reducer)));
    // then
    expect(result.values.at(-1)).toEqual({ id: 'order-1', version: 3, eventId: 'event-order-1-3', applied: true, deleted: true });
    expect(await orders.get('order-1')).toBeUndefined();
  });

  it('writes nothing when the reducer returns null for an absent document, so its earlier events still apply later', async () => {
    // given a later event met first (a rebuild's new version, before its catch-up applied the earlier ones)
    const early = await settle(from([cancelled]).pipe(project(orders, reducer)));
    // when the earlier events come
    await settle(from([placed, added]).pipe(project(orders, reducer)));
    // then nothing was written for the first, and the document holds the earlier events
    expect(early.values).toEqual([{ id: 'order-1', version: 3, eventId: 'event-order-1-3', applied: false }]);
    expect(await orders.get('order-1')).toEqual({ id: 'order-1', version: 2, data: { status: 'PLACED', lines: 2 } });
  });

  it('forwards a source error', async () => {
    // given
    const source = concat(of(placed), throwError(() => new Error('source failed')));
    // when
    const result = await settle(source.pipe(project(orders, reducer)));
    // then
    expect(result.error).toEqual(new Error('source failed'));
    expect(result.completed).toBe(false);
  });

  it('errors when the reducer throws, and writes nothing for that event', async () => {
    // given
    const failing: ProjectionReducer<OrderSummary> = (current, event) => {
      if (event.eventType === 'OrderItemAdded') throw new Error('cannot fold');
      return reducer(current, event);
    };
    // when
    const result = await settle(from([placed, added]).pipe(project(orders, failing)));
    // then
    expect(result.values).toEqual([{ id: 'order-1', version: 1, eventId: 'event-order-1-1', applied: true, document: { status: 'PLACED', lines: 1 } }]);
    expect(result.error).toEqual(new Error('cannot fold'));
    expect((await orders.get('order-1'))?.version).toBe(1);
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold<PipelineEvent>('|');
      // when
      const result = source.pipe(project(orders, reducer));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // given
      const source = hot<PipelineEvent>('-a-b-c-|', { a: placed, b: added, c: cancelled });
      // when
      const result = source.pipe(project(orders, reducer));
      // then
      expectObservable(result, '^--!').toBe(emittedBeforeUnsubscribe, { x: { id: 'order-1', version: 1, eventId: 'event-order-1-1', applied: true, document: { status: 'PLACED', lines: 1 } } });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
