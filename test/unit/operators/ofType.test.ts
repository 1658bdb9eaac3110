import { TestScheduler } from 'rxjs/testing';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import { ofType } from '../../../operators';
import { pipelineEvent } from './pipelineFixtures';

const placed = pipelineEvent({ eventType: 'OrderPlaced' });
const added = pipelineEvent({ eventType: 'OrderItemAdded', aggregateVersion: 2 });
const cancelled = pipelineEvent({ eventType: 'OrderCancelled', aggregateVersion: 3 });
const values = { p: placed, a: added, c: cancelled };

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('ofType', () => {
  it('lets through only events of the given types, in order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('-p-a-c-|', values);
      // when
      const result = source.pipe(ofType('OrderPlaced', 'OrderCancelled'));
      // then
      expectObservable(result).toBe('-p---c-|', values);
    });
  });

  it('passes a source error through after the events before it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('-p-#', values, new Error('source failed'));
      // when
      const result = source.pipe(ofType('OrderPlaced'));
      // then
      expectObservable(result).toBe('-p-#', values, new Error('source failed'));
    });
  });

  it('never fails on its own: events of unknown types are dropped, not errors', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const unknown = { ...placed, eventType: 'SomethingElse' };
      const source = cold('-u-u-|', { u: unknown });
      // when
      const result = source.pipe(ofType('OrderPlaced'));
      // then
      expectObservable(result).toBe('-----|');
    });
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold<PipelineEvent>('|');
      // when
      const result = source.pipe(ofType('OrderPlaced'));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // given
      const source = hot('-p-p-p-p-|', values);
      // when
      const result = source.pipe(ofType('OrderPlaced'));
      // then
      expectObservable(result, '^--!').toBe('-p-', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
