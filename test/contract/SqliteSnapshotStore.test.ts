import Database from 'better-sqlite3';
import { SqliteSnapshotStore } from '../../adapters/embedded/SqliteSnapshotStore';
import { SNAPSHOT_ERRORS } from '../../core/snapshot/SnapshotErrors';
import { describeSnapshotStoreContract, snapshotFixture } from './snapshotStoreContract';

describeSnapshotStoreContract('SqliteSnapshotStore', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteSnapshotStore(db), close: async () => void db.close() };
});

describe('SqliteSnapshotStore', () => {
  it('deletes the snapshots expired at a time, and only those', async () => {
    // given one expired and one live snapshot
    const db = new Database(':memory:');
    const store = new SqliteSnapshotStore(db);
    await store.put(snapshotFixture('o-old', 3, { expiresAt: '2030-01-01T00:00:00.000Z' }));
    await store.put(snapshotFixture('o-live', 3, { expiresAt: '2030-03-01T00:00:00.000Z' }));
    // when deleting those expired at 2030-02-01
    const deleted = await store.deleteExpired(new Date('2030-02-01T00:00:00.000Z'));
    // then the expired row is gone from the table, the live one stays
    expect(deleted).toBe(1);
    expect(db.prepare('SELECT aggregate_id FROM snapshots').all()).toEqual([{ aggregate_id: 'o-live' }]);
    db.close();
  });

  it('rejects with SNAPSHOT_STORE_UNAVAILABLE keeping the engine error as cause', async () => {
    // given a store whose database is closed
    const db = new Database(':memory:');
    const store = new SqliteSnapshotStore(db);
    db.close();
    // when reading a snapshot
    const failure = await store.latest('o-1', '1', new Date()).catch((error: unknown) => error);
    // then the port's error names the operation and the aggregate
    expect(failure).toMatchObject({ code: SNAPSHOT_ERRORS.STORE_UNAVAILABLE, details: { operation: 'latest', aggregateId: 'o-1' } });
    expect((failure as Error).cause).toMatchObject({ message: expect.stringContaining('not open') });
  });
});
