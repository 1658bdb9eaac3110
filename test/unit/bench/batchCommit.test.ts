import Database from 'better-sqlite3';
import { SqliteCheckpointStore, SqliteReadModelStore, SqliteStreamLog } from '../../../adapters/embedded';
import { SqliteUnitOfWork } from '../../../adapters/embedded/SqliteUnitOfWork';

// The optimisation the bench called for: a pipeline batch commits once (read-model writes,
// publishes and checkpoint together). These tests pin the guarantees it must keep.

function countOf(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('batch commit through the checkpoint store', () => {
  it('commits the writes of a batch together with its checkpoint', async () => {
    // given
    const db = new Database(':memory:');
    const checkpoints = new SqliteCheckpointStore(db);
    const orders = new SqliteReadModelStore(db).collection('orders');

    // when
    await checkpoints.atomically(async () => {
      await orders.upsertIfNewer('order-1', 1, { status: 'PLACED' });
      await checkpoints.set('order-list', 7);
      // then (inside): nothing is committed yet, the connection still holds the transaction
      expect(db.inTransaction).toBe(true);
    });

    // then
    expect(db.inTransaction).toBe(false);
    expect(await checkpoints.get('order-list')).toBe(7);
    expect((await orders.get('order-1'))?.version).toBe(1);
  });

  it('keeps one transaction open until the last concurrent batch finishes', async () => {
    // given
    const db = new Database(':memory:');
    const checkpoints = new SqliteCheckpointStore(db);
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    let fastDone = false;

    // when
    const slow = checkpoints.atomically(async () => {
      await checkpoints.set('slow', 1);
      await slowGate;
    });
    const fast = checkpoints.atomically(async () => checkpoints.set('fast', 1)).then(() => (fastDone = true));
    await new Promise((resolve) => setImmediate(resolve));

    // then: the fast batch is not acknowledged before the shared commit
    expect(fastDone).toBe(false);
    releaseSlow();
    await Promise.all([slow, fast]);
    expect(fastDone).toBe(true);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls back everything and rejects every batch when the commit fails', async () => {
    // given
    const db = new Database(':memory:');
    const checkpoints = new SqliteCheckpointStore(db);
    const orders = new SqliteReadModelStore(db).collection('orders');

    // when: the transaction is ended behind the unit of work's back, so its COMMIT fails
    const outcome = checkpoints.atomically(async () => {
      await orders.upsertIfNewer('order-1', 1, { status: 'PLACED' });
      await checkpoints.set('order-list', 3);
      db.prepare('ROLLBACK').run();
    });

    // then
    await expect(outcome).rejects.toMatchObject({ code: 'SQLITE_UNIT_OF_WORK_FAILED' });
    expect(await checkpoints.get('order-list')).toBe(0);
    expect(await orders.get('order-1')).toBeUndefined();
  });

  it('rethrows a failing batch after committing what it wrote', async () => {
    // given
    const db = new Database(':memory:');
    const checkpoints = new SqliteCheckpointStore(db);
    const orders = new SqliteReadModelStore(db).collection('orders');

    // when
    const outcome = checkpoints.atomically(async () => {
      await orders.upsertIfNewer('order-1', 1, { status: 'PLACED' });
      throw new Error('dead-letter store down');
    });

    // then
    await expect(outcome).rejects.toThrow('dead-letter store down');
    expect((await orders.get('order-1'))?.version).toBe(1);
    expect(await checkpoints.get('order-list')).toBe(0);
  });

  it('acknowledges a publish from outside an open batch only once the batch has committed', async () => {
    // given
    const db = new Database(':memory:');
    const checkpoints = new SqliteCheckpointStore(db);
    const streams = new SqliteStreamLog(db);
    let releaseBatch!: () => void;
    const gate = new Promise<void>((resolve) => (releaseBatch = resolve));
    const batch = checkpoints.atomically(() => gate);
    let published = false;

    // when
    const publish = streams.publish('core', [{ key: 'k', record: Buffer.from('r'), deduplicationId: 'e-1' }]).then(() => (published = true));
    await new Promise((resolve) => setImmediate(resolve));

    // then
    expect(published).toBe(false);
    releaseBatch();
    await Promise.all([batch, publish]);
    expect(published).toBe(true);
    expect(countOf(db, 'stream_records')).toBe(1);
    expect(SqliteUnitOfWork.of(db).active).toBe(false);
  });
});
