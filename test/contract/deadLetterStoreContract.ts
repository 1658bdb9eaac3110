import { DEAD_LETTER_ERRORS } from '../../core/deadletter/DeadLetterStore';
import type { DeadLetterStore, NewDeadLetter } from '../../core/deadletter/DeadLetterStore';

/** A dead-letter store under test and how to release it. */
export interface DeadLetterStoreUnderTest {
  store: DeadLetterStore;
  close(): Promise<void>;
}

function deadLetter(overrides: Partial<NewDeadLetter> = {}): NewDeadLetter {
  return {
    pipelineName: 'order-list',
    key: 'order-1',
    sourcePosition: 7,
    record: Buffer.from([3, 0, 1, 2, 3, 255]),
    errorCode: 'PROJECTION_FAILED',
    errorMessage: 'boom',
    attempts: 5,
    parkedBehindId: null,
    ...overrides,
  };
}

/** The DeadLetterStore contract; every implementation runs it. */
export function describeDeadLetterStoreContract(name: string, factory: () => Promise<DeadLetterStoreUnderTest>): void {
  describe(`DeadLetterStore contract: ${name}`, () => {
    let subject: DeadLetterStoreUnderTest;
    let store: DeadLetterStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('parks a record with its original bytes and reads it back', async () => {
      // given a failed record
      const entry = deadLetter();
      // when parking it
      const parked = await store.park(entry);
      // then it is parked, unresolved, with its bytes untouched
      expect(parked).toMatchObject({ ...entry, status: 'parked', resolvedAt: null });
      expect(Number.isNaN(Date.parse(parked.parkedAt))).toBe(false);
      const read = await store.get(parked.id);
      expect(read).toEqual(parked);
      expect(read.record.equals(entry.record)).toBe(true);
    });

    it('gives increasing ids in parked order', async () => {
      // given three parked records
      const first = await store.park(deadLetter({ key: 'a' }));
      const second = await store.park(deadLetter({ key: 'b' }));
      const third = await store.park(deadLetter({ key: 'a', parkedBehindId: first.id }));
      // when comparing their ids
      const ids = [first.id, second.id, third.id];
      // then they increase
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
      expect(third.parkedBehindId).toBe(first.id);
    });

    it('tells whether a key is parked and which entry is the oldest', async () => {
      // given two parked records of one key and none of another
      const first = await store.park(deadLetter({ key: 'order-1' }));
      await store.park(deadLetter({ key: 'order-1', parkedBehindId: first.id, sourcePosition: 8 }));
      // when asking
      const oldest = await store.oldestParked('order-list', 'order-1');
      // then the first is the oldest, and only that key (of that pipeline) is parked
      expect(oldest?.id).toBe(first.id);
      await expect(store.isKeyParked('order-list', 'order-1')).resolves.toBe(true);
      await expect(store.isKeyParked('order-list', 'order-2')).resolves.toBe(false);
      await expect(store.isKeyParked('router', 'order-1')).resolves.toBe(false);
      await expect(store.oldestParked('order-list', 'order-2')).resolves.toBeUndefined();
    });

    it('moves to the next parked entry once the oldest is resolved', async () => {
      // given two parked records of one key
      const first = await store.park(deadLetter());
      const second = await store.park(deadLetter({ parkedBehindId: first.id }));
      // when the first is redriven
      await store.resolve(first.id, 'redriven');
      // then the second is the oldest parked, and resolving it unparks the key
      expect((await store.oldestParked('order-list', 'order-1'))?.id).toBe(second.id);
      await store.resolve(second.id, 'skipped');
      await expect(store.isKeyParked('order-list', 'order-1')).resolves.toBe(false);
      const resolved = await store.get(first.id);
      expect(resolved.status).toBe('redriven');
      expect(resolved.resolvedAt).not.toBeNull();
      expect((await store.get(second.id)).status).toBe('skipped');
    });

    it('lists parked entries by default, filtered by pipeline and key, in parked order', async () => {
      // given entries of two pipelines, one of them resolved
      const a = await store.park(deadLetter({ key: 'k1' }));
      const b = await store.park(deadLetter({ key: 'k2' }));
      const c = await store.park(deadLetter({ pipelineName: 'router', key: 'k1' }));
      await store.resolve(b.id, 'skipped');
      // when listing
      const parked = await store.list();
      const ofPipeline = await store.list({ pipelineName: 'order-list', status: 'all' });
      const ofKey = await store.list({ key: 'k1' });
      const skipped = await store.list({ status: 'skipped' });
      const limited = await store.list({ status: 'all', limit: 2 });
      // then each filter applies
      expect(parked.map((entry) => entry.id)).toEqual([a.id, c.id]);
      expect(ofPipeline.map((entry) => entry.id)).toEqual([a.id, b.id]);
      expect(ofKey.map((entry) => entry.id)).toEqual([a.id, c.id]);
      expect(skipped.map((entry) => entry.id)).toEqual([b.id]);
      expect(limited.map((entry) => entry.id)).toEqual([a.id, b.id]);
    });

    it('records a failed redrive and keeps the entry parked', async () => {
      // given a parked entry
      const parked = await store.park(deadLetter());
      // when a redrive fails again
      await store.recordFailure(parked.id, 'STILL_BROKEN', 'again', 6);
      // then the new error and attempts are kept
      expect(await store.get(parked.id)).toMatchObject({ status: 'parked', errorCode: 'STILL_BROKEN', errorMessage: 'again', attempts: 6 });
    });

    it('refuses an unknown id with DEAD_LETTER_NOT_FOUND', async () => {
      // given an empty store
      // when reading, resolving or recording a failure of an unknown id
      // then each is refused
      await expect(store.get(424242)).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.NOT_FOUND });
      await expect(store.resolve(424242, 'skipped')).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.NOT_FOUND });
      await expect(store.recordFailure(424242, 'X', 'y', 1)).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.NOT_FOUND });
    });

    it('refuses to resolve an entry twice with DEAD_LETTER_NOT_PARKED', async () => {
      // given a redriven entry
      const parked = await store.park(deadLetter());
      await store.resolve(parked.id, 'redriven');
      // when resolving it again or recording a failure on it
      // then both are refused and the entry keeps its first resolution
      await expect(store.resolve(parked.id, 'skipped')).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.NOT_PARKED });
      await expect(store.recordFailure(parked.id, 'X', 'y', 9)).rejects.toMatchObject({ code: DEAD_LETTER_ERRORS.NOT_PARKED });
      expect((await store.get(parked.id)).status).toBe('redriven');
    });
  });
}
