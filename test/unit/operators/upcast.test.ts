import { TestScheduler } from 'rxjs/testing';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import { upcast } from '../../../operators';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { pipelineEvent } from './pipelineFixtures';

const upcasters = new UpcasterRegistry([
  {
    eventType: 'OrderPlaced',
    fromVersion: 1,
    upcast: ({ totalAmount, ...rest }) => ({ ...rest, total: { amount: totalAmount, currency: 'USD' } }),
  },
]);

const v1 = pipelineEvent({ schemaVersion: 1, payload: { orderId: 'order-1', customerId: 'c', items: [], totalAmount: 12 } });
const v2 = pipelineEvent({ aggregateId: 'order-2' });
const cancelled = pipelineEvent({ eventType: 'OrderCancelled', schemaVersion: 1, aggregateVersion: 2 });

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('upcast', () => {
  it('raises old payloads to the newest shape and passes current ones through unchanged', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('-a-b-c-|', { a: v1, b: v2, c: cancelled });
      // when
      const result = source.pipe(upcast(upcasters));
      // then
      const raised = { ...v1, schemaVersion: 2, payload: { orderId: 'order-1', customerId: 'c', items: [], total: { amount: 12, currency: 'USD' } } };
      expectObservable(result).toBe('-a-b-c-|', { a: raised, b: v2, c: cancelled });
    });
  });

  it('passes a source error through after the events before it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('-b-#', { b: v2 }, new Error('source failed'));
      // when
      const result = source.pipe(upcast(upcasters));
      // then
      expectObservable(result).toBe('-b-#', { b: v2 }, new Error('source failed'));
    });
  });

  it('errors when an upcaster throws', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const broken = new UpcasterRegistry([
        {
          eventType: 'OrderPlaced',
          fromVersion: 1,
          upcast: () => {
            throw new Error('cannot upcast');
          },
        },
      ]);
      const source = cold('-b-a-b-|', { a: v1, b: v2 });
      // when
      const result = source.pipe(upcast(broken));
      // then
      expectObservable(result).toBe('-b-#', { b: v2 }, new Error('cannot upcast'));
    });
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold<PipelineEvent>('|');
      // when
      const result = source.pipe(upcast(upcasters));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // given
      const source = hot('-b-b-b-|', { b: v2 });
      // when
      const result = source.pipe(upcast(upcasters));
      // then
      expectObservable(result, '^--!').toBe('-b-', { b: v2 });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
