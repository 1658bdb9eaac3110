import Database from 'better-sqlite3';
import { concat, from, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SqliteStreamLog } from '../../../adapters/embedded/SqliteStreamLog';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import { route } from '../../../operators';
import type { RouteChooser } from '../../../operators';
import { pipelineEvent } from './pipelineFixtures';
import { settle } from './settle';

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const byType: RouteChooser = (event) => {
  if (event.eventType === 'OrderPlaced') return ['core', 'notifications'];
  if (event.eventType === 'OrderCancelled') return 'core';
  return null;
};

describe('route', () => {
  let db: Database.Database;
  let streams: SqliteStreamLog;
  const placed = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 1 });
  const added = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderItemAdded' });
  const cancelled = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 3, eventType: 'OrderCancelled' });

  beforeEach(() => {
    db = new Database(':memory:');
    streams = new SqliteStreamLog(db);
  });

  afterEach(() => db.close());

  it('publishes the original record bytes with their key to the chosen streams, in order', async () => {
    // given
    const events = [placed, added, cancelled];
    // when
    const result = await settle(from(events).pipe(route(streams, byType)));
    // then
    expect(result.values).toEqual([
      { eventId: placed.envelope.eventId, streams: ['core', 'notifications'] },
      { eventId: added.envelope.eventId, streams: [] },
      { eventId: cancelled.envelope.eventId, streams: ['core'] },
    ]);
    const core = await streams.source('core').read(0, 10);
    expect(core.map(({ key, record }) => ({ key, record }))).toEqual([
      { key: 'order-1', record: placed.source.record },
      { key: 'order-1', record: cancelled.source.record },
    ]);
    expect((await streams.source('notifications').read(0, 10)).map((r) => r.record)).toEqual([placed.source.record]);
  });

  it('stores a replayed event once, deduplicated by event id', async () => {
    // given
    await settle(of(placed).pipe(route(streams, byType)));
    // when
    await settle(from([placed, placed]).pipe(route(streams, byType)));
    // then
    expect(await streams.source('core').read(0, 10)).toHaveLength(1);
  });

  it('forwards a source error', async () => {
    // given
    const source = concat(of(placed), throwError(() => new Error('source failed')));
    // when
    const result = await settle(source.pipe(route(streams, byType)));
    // then
    expect(result.error).toEqual(new Error('source failed'));
  });

  it('errors when the chooser throws, publishing nothing for that event', async () => {
    // given
    const failing: RouteChooser = (event) => {
      if (event.eventType === 'OrderCancelled') throw new Error('no route');
      return 'core';
    };
    // when
    const result = await settle(from([placed, cancelled]).pipe(route(streams, failing)));
    // then
    expect(result.values).toHaveLength(1);
    expect(result.error).toEqual(new Error('no route'));
    expect(await streams.source('core').read(0, 10)).toHaveLength(1);
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold<PipelineEvent>('|');
      // when
      const result = source.pipe(route(streams, byType));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // given
      const source = hot<PipelineEvent>('-a-b-c-|', { a: placed, b: added, c: cancelled });
      // when
      const result = source.pipe(route(streams, byType));
      // then
      expectObservable(result, '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
