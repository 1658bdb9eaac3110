import Database from 'better-sqlite3';
import { throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SqliteDeadLetterStore } from '../../../adapters/embedded/SqliteDeadLetterStore';
import { NexusError } from '../../../core/errors/NexusError';
import { RetriesExhaustedError, parkOnFailure } from '../../../operators';
import type { ParkTarget } from '../../../operators';
import { settle } from './settle';

const target: ParkTarget = { pipelineName: 'order-list', key: 'order-1', sourcePosition: 7, record: Buffer.from([3, 0, 1, 2]) };

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('parkOnFailure', () => {
  let db: Database.Database;
  let deadLetters: SqliteDeadLetterStore;

  beforeEach(() => {
    db = new Database(':memory:');
    deadLetters = new SqliteDeadLetterStore(db);
  });

  afterEach(() => {
    if (db.open) db.close();
  });

  it('passes values through and parks nothing when the source succeeds', async () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('-a-b-|');
      // when
      const result = source.pipe(parkOnFailure(deadLetters, target));
      // then
      expectObservable(result).toBe('-a-b-|');
    });
    expect(await deadLetters.list()).toEqual([]);
  });

  it('parks the record of a failed source with the attempt count and the last error, then completes', async () => {
    // given
    const failure = new RetriesExhaustedError(5, new NexusError('PRICE_UNKNOWN', 'cannot price sku POISON'));
    const parked: number[] = [];
    // when
    const result = await settle(throwError(() => failure).pipe(parkOnFailure(deadLetters, target, { onParked: (entry) => parked.push(entry.id) })));
    // then
    expect(result).toEqual({ values: [], completed: true });
    const [entry] = await deadLetters.list();
    expect(entry).toMatchObject({ ...target, errorCode: 'PRICE_UNKNOWN', attempts: 5, parkedBehindId: null, status: 'parked' });
    expect(entry?.errorMessage).toContain('cannot price sku POISON');
    expect(parked).toEqual([entry?.id]);
  });

  it('parks a plain error as one attempt with a generic code', async () => {
    // given
    const source = throwError(() => new TypeError('undefined is not a function'));
    // when
    await settle(source.pipe(parkOnFailure(deadLetters, target)));
    // then
    const [entry] = await deadLetters.list();
    expect(entry).toMatchObject({ errorCode: 'PIPELINE_ERROR', errorMessage: 'TypeError: undefined is not a function', attempts: 1 });
  });

  it('rethrows when the dead-letter store itself fails, so the record is not taken for safe', async () => {
    // given
    db.close();
    // when
    const result = await settle(throwError(() => new Error('boom')).pipe(parkOnFailure(deadLetters, target)));
    // then
    expect(result.completed).toBe(false);
    expect(String(result.error)).toMatch(/not open/);
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold('|');
      // when
      const result = source.pipe(parkOnFailure(deadLetters, target));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      // given
      const source = hot('-a-b-c-|');
      // when
      const result = source.pipe(parkOnFailure(deadLetters, target));
      // then
      expectObservable(result, '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
