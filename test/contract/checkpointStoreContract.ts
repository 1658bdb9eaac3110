import type { CheckpointStore } from '../../core/checkpoint/CheckpointStore';

/** A checkpoint store under test and how to release it. */
export interface CheckpointStoreUnderTest {
  store: CheckpointStore;
  close(): Promise<void>;
}

/** The CheckpointStore contract; every implementation runs it. */
export function describeCheckpointStoreContract(name: string, factory: () => Promise<CheckpointStoreUnderTest>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let subject: CheckpointStoreUnderTest;
    let store: CheckpointStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('returns 0 for a pipeline that never checkpointed', async () => {
      // given a store with no checkpoint for the pipeline
      // when reading it
      const position = await store.get('never-ran');
      // then it starts from the beginning
      expect(position).toBe(0);
    });

    it('returns the last position set', async () => {
      // given two checkpoints moving forward
      await store.set('order-list', 5);
      await store.set('order-list', 9);
      // when reading
      const position = await store.get('order-list');
      // then the latest is kept
      expect(position).toBe(9);
    });

    it('never moves a checkpoint backwards', async () => {
      // given a checkpoint at 12
      await store.set('order-list', 12);
      // when a slower worker sets an older position
      await store.set('order-list', 7);
      // then the checkpoint stays at 12
      await expect(store.get('order-list')).resolves.toBe(12);
    });

    it('keeps the checkpoints of different pipelines apart', async () => {
      // given two pipelines
      await store.set('router', 40);
      await store.set('order-list', 3);
      // when reading each
      const positions = [await store.get('router'), await store.get('order-list')];
      // then each has its own
      expect(positions).toEqual([40, 3]);
    });
  });
}
