import { catchError, defer, of } from 'rxjs';
import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { RETRIES_EXHAUSTED, backoffDelayMs, retryWithBackoff } from '../../../operators';

// random() = 1 makes the full-jitter delay its ceiling: 10, 20, 40, ... ms.
const deterministic = { initialBackoffMs: 10, maxBackoffMs: 1000, random: () => 1 };

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

function describeError(error: unknown): Observable<Record<string, unknown>> {
  const { code, attempts, cause } = error as { code?: string; attempts?: number; cause?: unknown };
  return of({ code, attempts, cause: (cause as Error).message });
}

describe('retryWithBackoff', () => {
  it('passes values through when the source succeeds', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // given
      const source = cold('-a-b-|');
      // when
      const result = source.pipe(retryWithBackoff(deterministic));
      // then
      expectObservable(result).toBe('-a-b-|');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('re-subscribes after a source error with exponentially growing delays until an attempt succeeds', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given: two failing attempts, then a good one
      let attempt = 0;
      const source = defer(() => (++attempt < 3 ? cold('-#') : cold('-a|')));
      // when
      const result = source.pipe(retryWithBackoff(deterministic));
      // then: fails at 1, waits 10, fails at 12, waits 20, succeeds at 33
      expectObservable(result).toBe('33ms a|');
    });
  });

  it('reports each retry with the number of the attempt that failed', () => {
    // given
    const retries: number[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      let attempt = 0;
      const source = defer(() => (++attempt < 3 ? cold('-#') : cold('-a|')));
      // when
      const result = source.pipe(retryWithBackoff({ ...deterministic, onRetry: (_error, failed) => retries.push(failed) }));
      expectObservable(result).toBe('33ms a|');
    });
    // then
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after maxAttempts with an error carrying the attempt count and the last error as cause', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // given
      const source = cold('-#', undefined, new Error('still broken'));
      // when
      const result = source.pipe(retryWithBackoff({ ...deterministic, maxAttempts: 3 }), catchError(describeError));
      // then
      expectObservable(result).toBe('33ms (x|)', { x: { code: RETRIES_EXHAUSTED, attempts: 3, cause: 'still broken' } });
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!']);
    });
  });

  it('refuses a maxAttempts below 1', () => {
    // given
    const options = { maxAttempts: 0 };
    // when
    const create = (): unknown => retryWithBackoff(options);
    // then
    expect(create).toThrow(RangeError);
  });

  it('caps each delay at maxBackoffMs and draws it with full jitter', () => {
    // given
    const half = (): number => 0.5;
    // when
    const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, 100, 500, half));
    // then
    expect(delays).toEqual([50, 100, 200, 250, 250]);
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('|');
      // when
      const result = source.pipe(retryWithBackoff(deterministic));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('cancels a pending retry when the consumer unsubscribes', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // given: the second attempt fails at 12, the third would start at 32
      const source = cold('-#');
      // when
      const result = source.pipe(retryWithBackoff(deterministic));
      // then
      expectObservable(result, '15ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
    });
  });

  it('unsubscribes from a running attempt when the consumer unsubscribes', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // given
      const source = hot('-a-b-c-|');
      // when
      const result = source.pipe(retryWithBackoff(deterministic));
      // then
      expectObservable(result, '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
