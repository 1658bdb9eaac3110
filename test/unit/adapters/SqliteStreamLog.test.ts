import Database from 'better-sqlite3';
import { SqliteStreamLog } from '../../../adapters/embedded/SqliteStreamLog';

describe('SqliteStreamLog', () => {
  let db: Database.Database;
  let log: SqliteStreamLog;

  beforeEach(() => {
    db = new Database(':memory:');
    log = new SqliteStreamLog(db);
  });

  afterEach(() => {
    db.close();
  });

  const record = (text: string): Buffer => Buffer.from(text, 'utf8');

  it('stores a record published twice with the same deduplication id once', async () => {
    // given a record already published
    await log.publish('core', [{ key: 'order-1', record: record('first'), deduplicationId: 'event-1' }]);
    // when it is published again (a retry after a crash), next to a new one
    await log.publish('core', [
      { key: 'order-1', record: record('first again'), deduplicationId: 'event-1' },
      { key: 'order-2', record: record('second'), deduplicationId: 'event-2' },
    ]);
    // then the stream holds each id once, the first copy kept
    const records = await log.source('core').read(0, 10);
    expect(records.map((r) => [r.key, r.record.toString('utf8')])).toEqual([
      ['order-1', 'first'],
      ['order-2', 'second'],
    ]);
  });

  it('keeps streams apart, with the same deduplication id allowed in each', async () => {
    // given the same id published to two streams
    await log.publish('core', [{ key: 'k', record: record('to core'), deduplicationId: 'event-1' }]);
    await log.publish('notifications', [{ key: 'k', record: record('to topic'), deduplicationId: 'event-1' }]);
    // when reading each
    const core = await log.source('core').read(0, 10);
    const topic = await log.source('notifications').read(0, 10);
    // then each has its own record
    expect(core.map((r) => r.record.toString('utf8'))).toEqual(['to core']);
    expect(topic.map((r) => r.record.toString('utf8'))).toEqual(['to topic']);
  });

  it('reads after a position, in position order, at most limit', async () => {
    // given five records
    await log.publish('core', ['a', 'b', 'c', 'd', 'e'].map((id) => ({ key: id, record: record(id), deduplicationId: id })));
    // when reading after the second, two at most
    const all = await log.source('core').read(0, 10);
    const page = await log.source('core').read(all[1]?.position ?? 0, 2);
    // then the third and fourth come back with increasing positions
    expect(page.map((r) => r.key)).toEqual(['c', 'd']);
    expect(all.map((r) => r.position)).toEqual([...all.map((r) => r.position)].sort((x, y) => x - y));
  });

  it("wakes only that stream's listeners, and only when something was stored", async () => {
    // given listeners on two streams
    const calls: string[] = [];
    const stop = log.source('core').onAppend(() => calls.push('core'));
    log.source('other').onAppend(() => calls.push('other'));
    log.source('core').onAppend(() => {
      throw new Error('listener bug');
    });
    // when publishing to core, re-publishing a duplicate, then unsubscribing and publishing
    await log.publish('core', [{ key: 'k', record: record('x'), deduplicationId: 'd1' }]);
    await log.publish('core', [{ key: 'k', record: record('x'), deduplicationId: 'd1' }]);
    stop();
    await log.publish('core', [{ key: 'k', record: record('y'), deduplicationId: 'd2' }]);
    // then core's listener heard the one new commit before it unsubscribed, other heard nothing
    expect(calls).toEqual(['core']);
  });
});
