import Database from 'better-sqlite3';
import { SqliteNotificationLog } from '../../../adapters/embedded/SqliteNotificationLog';
import type { DocumentChanged } from '../../../core/notifications/DocumentChanged';

const change = (id: string, version: number): DocumentChanged => ({ resourceType: 'orders', id, version, eventId: `e-${id}-${version}`, owner: 'alice' });

describe('SqliteNotificationLog', () => {
  let db: Database.Database;
  let now: number;

  beforeEach(() => {
    db = new Database(':memory:');
    now = 1_000_000;
  });

  afterEach(() => db.close());

  it('reads entries after a position in order, and says where its head is', async () => {
    // given
    const log = new SqliteNotificationLog(db);
    await log.publish([change('a', 1), change('b', 1), change('a', 2)]);
    // when / then
    expect((await log.readAfter(1, 10)).map((entry) => [entry.position, entry.change.id, entry.change.version])).toEqual([[2, 'b', 1], [3, 'a', 2]]);
    expect(await log.readAfter(1, 1)).toHaveLength(1);
    expect(await log.headPosition()).toBe(3);
    expect(await log.prunedThrough()).toBe(0);
  });

  it('prunes beyond its newest maxEntries and remembers how far it pruned', async () => {
    // given a log keeping 2 entries, pruning after every 5
    const log = new SqliteNotificationLog(db, { maxEntries: 2, pruneEveryEntries: 5 });
    // when 5 are published
    for (let version = 1; version <= 5; version += 1) await log.publish([change('a', version)]);
    // then the 2 newest are left, and positions up to 3 are known to be pruned
    expect((await log.readAfter(0, 10)).map((entry) => entry.position)).toEqual([4, 5]);
    expect(await log.prunedThrough()).toBe(3);
  });

  it('prunes entries older than maxAgeMs, and keeps its head (positions are never reused)', async () => {
    // given a log keeping an hour
    const log = new SqliteNotificationLog(db, { maxAgeMs: 3_600_000, now: () => now });
    await log.publish([change('a', 1), change('b', 1)]);
    // when two hours pass and it prunes
    now += 7_200_000;
    log.prune();
    await log.publish([change('c', 1)]);
    // then
    expect((await log.readAfter(0, 10)).map((entry) => entry.position)).toEqual([3]);
    expect(await log.prunedThrough()).toBe(2);
    expect(await log.headPosition()).toBe(3);
  });

  it('keeps the log across reopening (another connection, the WebSocket server, reads what pipelines wrote)', async () => {
    // given
    await new SqliteNotificationLog(db).publish([change('a', 1)]);
    // when
    const reopened = new SqliteNotificationLog(db);
    // then
    expect(await reopened.readAfter(0, 10)).toEqual([{ position: 1, change: change('a', 1) }]);
  });
});
