import type { SagaDeadline, SagaDeadlineStore } from '../../core/saga/SagaDeadlineStore';

/** A saga deadline store under test and how to release it. */
export interface SagaDeadlineStoreUnderTest {
  store: SagaDeadlineStore;
  close(): Promise<void>;
}

const deadline = (sagaId: string, step: string, dueAt: string): SagaDeadline => ({ sagaType: 'fulfilment', sagaId, step, dueAt });

/** The SagaDeadlineStore contract; every implementation runs it. */
export function describeSagaDeadlineStoreContract(name: string, factory: () => Promise<SagaDeadlineStoreUnderTest>): void {
  describe(`SagaDeadlineStore contract: ${name}`, () => {
    let subject: SagaDeadlineStoreUnderTest;
    let store: SagaDeadlineStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('lists the deadlines due by a time, earliest first, and not those due later', async () => {
      // given three sagas with deadlines
      await store.schedule(deadline('s-2', 'pay', '2026-01-01T00:00:02.000Z'));
      await store.schedule(deadline('s-1', 'reserve', '2026-01-01T00:00:01.000Z'));
      await store.schedule(deadline('s-3', 'ship', '2026-01-01T00:00:09.000Z'));
      // when asking what is due at 00:00:05
      const due = await store.due('2026-01-01T00:00:05.000Z', 10);
      // then the two earlier ones, in due order
      expect(due).toEqual([deadline('s-1', 'reserve', '2026-01-01T00:00:01.000Z'), deadline('s-2', 'pay', '2026-01-01T00:00:02.000Z')]);
    });

    it('keeps one deadline per saga: scheduling the next step replaces the previous one', async () => {
      // given a saga whose first step has a deadline
      await store.schedule(deadline('s-1', 'reserve', '2026-01-01T00:00:01.000Z'));
      // when its next step is scheduled
      await store.schedule(deadline('s-1', 'pay', '2026-01-01T00:00:03.000Z'));
      // then only the new deadline is there
      expect(await store.due('2026-01-02T00:00:00.000Z', 10)).toEqual([deadline('s-1', 'pay', '2026-01-01T00:00:03.000Z')]);
    });

    it("clears a saga's deadline for its step only, leaving a newer step's deadline in place", async () => {
      // given a saga at its second step
      await store.schedule(deadline('s-1', 'pay', '2026-01-01T00:00:03.000Z'));
      // when a late clear of the first step comes, then a clear of the second
      await store.clear('s-1', 'reserve');
      const afterStale = await store.due('2026-01-02T00:00:00.000Z', 10);
      await store.clear('s-1', 'pay');
      // then the stale clear changed nothing and the right one removed it
      expect(afterStale).toHaveLength(1);
      expect(await store.due('2026-01-02T00:00:00.000Z', 10)).toEqual([]);
    });

    it('returns at most the limit asked for', async () => {
      // given five due deadlines
      for (let i = 0; i < 5; i += 1) await store.schedule(deadline(`s-${i}`, 'pay', `2026-01-01T00:00:0${i}.000Z`));
      // when asking for two
      const due = await store.due('2026-01-02T00:00:00.000Z', 2);
      // then the two earliest
      expect(due.map((entry) => entry.sagaId)).toEqual(['s-0', 's-1']);
    });
  });
}
