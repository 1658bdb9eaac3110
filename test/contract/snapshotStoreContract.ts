import type { Snapshot, SnapshotStore } from '../../core/snapshot/SnapshotStore';

/** A snapshot store under test and how to release it. */
export interface SnapshotStoreUnderTest {
  store: SnapshotStore;
  close(): Promise<void>;
}

const NOW = new Date('2030-01-01T00:00:00.000Z');

/** A snapshot of `aggregateId` at `version`; times in whole seconds (DynamoDB's TTL counts seconds). */
export function snapshotFixture(aggregateId: string, version: number, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    aggregateType: 'Order',
    aggregateId,
    version,
    foldVersion: '1',
    stateJson: JSON.stringify({ status: 'PLACED', lines: version }),
    lastEventAt: '2029-12-31T23:00:00.000Z',
    createdAt: '2029-12-31T23:30:00.000Z',
    expiresAt: '2030-01-31T00:00:00.000Z',
    ...overrides,
  };
}

/** The SnapshotStore contract; every implementation runs it. */
export function describeSnapshotStoreContract(name: string, factory: () => Promise<SnapshotStoreUnderTest>): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    let subject: SnapshotStoreUnderTest;
    let store: SnapshotStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('answers undefined for an aggregate never snapshotted', async () => {
      // given an empty store
      // when reading a snapshot
      const latest = await store.latest('o-none', '1', NOW);
      // then there is none
      expect(latest).toBeUndefined();
    });

    it('answers the snapshot stored, field for field', async () => {
      // given a stored snapshot
      const snapshot = snapshotFixture('o-1', 7);
      const stored = await store.put(snapshot);
      // when reading it with its fold version
      const latest = await store.latest('o-1', '1', NOW);
      // then it is answered as written
      expect(stored).toBe(true);
      expect(latest).toEqual(snapshot);
    });

    it('ignores a snapshot of another fold version', async () => {
      // given a snapshot made by fold version 1
      await store.put(snapshotFixture('o-2', 5));
      // when code of fold version 2 reads it
      const latest = await store.latest('o-2', '2', NOW);
      // then it is not served
      expect(latest).toBeUndefined();
    });

    it('replaces a snapshot of another fold version, even at a higher version', async () => {
      // given a snapshot of fold version 1 at version 9
      await store.put(snapshotFixture('o-3', 9));
      // when fold version 2 stores one at version 4
      const stored = await store.put(snapshotFixture('o-3', 4, { foldVersion: '2' }));
      // then the new fold version's snapshot is served, and the old one is gone
      expect(stored).toBe(true);
      expect(await store.latest('o-3', '2', NOW)).toMatchObject({ version: 4, foldVersion: '2' });
      expect(await store.latest('o-3', '1', NOW)).toBeUndefined();
    });

    it('never overwrites a newer snapshot of the same fold version', async () => {
      // given a snapshot at version 20
      await store.put(snapshotFixture('o-4', 20));
      // when a slower writer stores version 12, then another stores version 20 again
      const older = await store.put(snapshotFixture('o-4', 12));
      const same = await store.put(snapshotFixture('o-4', 20, { stateJson: '{"other":true}' }));
      // then the first version 20 stays
      expect([older, same]).toEqual([false, false]);
      expect(await store.latest('o-4', '1', NOW)).toMatchObject({ version: 20, stateJson: snapshotFixture('o-4', 20).stateJson });
    });

    it('replaces an older snapshot of the same fold version', async () => {
      // given a snapshot at version 3
      await store.put(snapshotFixture('o-5', 3));
      // when one at version 8 is stored
      const stored = await store.put(snapshotFixture('o-5', 8));
      // then version 8 is served
      expect(stored).toBe(true);
      expect(await store.latest('o-5', '1', NOW)).toMatchObject({ version: 8 });
    });

    it('never answers an expired snapshot, and lets a new one replace it whatever its version', async () => {
      // given a snapshot at version 30 that expired at NOW
      await store.put(snapshotFixture('o-6', 30, { expiresAt: NOW.toISOString() }));
      // when reading at NOW, then storing version 10 made after the expiry
      const expired = await store.latest('o-6', '1', NOW);
      const stored = await store.put(snapshotFixture('o-6', 10, { createdAt: '2030-01-01T00:00:01.000Z', expiresAt: '2030-02-01T00:00:00.000Z' }));
      // then the expired one was not served, and the new one is
      expect(expired).toBeUndefined();
      expect(stored).toBe(true);
      expect(await store.latest('o-6', '1', NOW)).toMatchObject({ version: 10 });
    });

    it('serves a snapshot until the second it expires', async () => {
      // given a snapshot expiring one second after NOW
      await store.put(snapshotFixture('o-7', 2, { expiresAt: '2030-01-01T00:00:01.000Z' }));
      // when reading at NOW
      const latest = await store.latest('o-7', '1', NOW);
      // then it is served
      expect(latest).toMatchObject({ version: 2 });
    });

    it('keeps the snapshots of different aggregates apart', async () => {
      // given two aggregates' snapshots
      await store.put(snapshotFixture('o-8', 4));
      await store.put(snapshotFixture('o-9', 6));
      // when reading each
      const versions = [(await store.latest('o-8', '1', NOW))?.version, (await store.latest('o-9', '1', NOW))?.version];
      // then each has its own
      expect(versions).toEqual([4, 6]);
    });

    it('keeps a large state exactly (unicode included)', async () => {
      // given a state of about 100 KB with non-ASCII text
      const stateJson = JSON.stringify({ lines: Array.from({ length: 2000 }, (_unused, i) => ({ sku: `SKU-${i}`, note: 'Grüße, 東京 🚚' })) });
      // when storing and reading it
      await store.put(snapshotFixture('o-10', 1, { stateJson }));
      const latest = await store.latest('o-10', '1', NOW);
      // then it is byte for byte the same
      expect(latest?.stateJson).toBe(stateJson);
    });
  });
}

