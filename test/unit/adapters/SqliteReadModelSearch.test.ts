/**
 * Issue 11, part 3 (embedded): the search contract on SQLite FTS5, and what only SQLite can
 * show: the index lives and dies with the document's transaction, a collection without
 * full-text fields has no index and no trigger, and declaring a full-text field later indexes
 * the documents already there.
 */
import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import { isSearchableReadModelCollection } from '../../../core/readmodel/ReadModelSearch';
import type { ReadModelCollection } from '../../../core/readmodel/ReadModelStore';
import { describeReadModelSearchContract, NOTICE_CORPUS, NOTICE_OPTIONS } from '../../contract/readModelSearchContract';
import type { Notice } from '../../contract/readModelSearchContract';

describeReadModelSearchContract('SqliteReadModelStore (FTS5)', async () => {
  const db = new Database(':memory:');
  return { store: new SqliteReadModelStore(db), close: async () => void db.close() };
});

async function searchIds<T>(collection: ReadModelCollection<T>, text: string): Promise<string[]> {
  if (!isSearchableReadModelCollection(collection)) throw new Error('not searchable');
  return (await collection.search({ text })).hits.map((hit) => hit.document.id);
}

function schemaNames(db: Database.Database, type: string): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name LIKE 'rm\\_%' ESCAPE '\\' ORDER BY name").all(type) as { name: string }[]).map((row) => row.name);
}

describe('SqliteReadModelStore full-text index', () => {
  let db: Database.Database;
  let store: SqliteReadModelStore;

  beforeEach(() => {
    db = new Database(':memory:');
    store = new SqliteReadModelStore(db);
  });

  afterEach(() => db.close());

  it('gives a collection without full-text fields no FTS table and no trigger', () => {
    // given a collection declaring filterable and sortable fields only
    // when it is opened and written
    const orders = store.collection('orders', { indexedFields: ['createdAt'], fields: { status: { type: 'string', filterable: true }, cancelReason: { type: 'string' } } });
    void orders.upsertIfNewer('o1', 1, { status: 'PLACED', cancelReason: 'too slow' });
    // then
    expect(schemaNames(db, 'trigger')).toEqual([]);
    expect(schemaNames(db, 'table').filter((name) => name.includes('_fts'))).toEqual([]);
  });

  it('names the FTS table after the collection table and keeps it with triggers', () => {
    // given
    store.collection('notices', NOTICE_OPTIONS);
    // when
    const tables = schemaNames(db, 'table').filter((name) => !name.includes('_fts_'));
    // then
    expect(tables).toHaveLength(2);
    expect(tables[1]).toBe(`${tables[0] ?? ''}_fts`);
    expect(schemaNames(db, 'trigger')).toHaveLength(3);
  });

  it('rolls the index back with the document when the transaction fails', async () => {
    // given the corpus
    const notices = store.collection<Notice>('notices', NOTICE_OPTIONS);
    for (const { id, data } of NOTICE_CORPUS) await notices.upsertIfNewer(id, 1, data);
    // when a transaction rewrites n4 and then fails
    const sync = notices as unknown as { upsertIfNewerNow(id: string, version: number, data: unknown): boolean };
    expect(() =>
      db.transaction(() => {
        sync.upsertIfNewerNow('n4', 2, { ownerId: 'alice', title: 'Order confirmed', body: 'a red lamp' });
        throw new Error('the batch fails');
      })(),
    ).toThrow('the batch fails');
    // then neither the document nor its index changed
    expect(await searchIds(notices, 'red')).toEqual([]);
    expect(await searchIds(notices, 'green')).toEqual(['n4']);
  });

  it('indexes the documents already stored when a field becomes full-text', async () => {
    // given notices stored before any field was full-text
    const before = store.collection<Notice>('notices', { ...NOTICE_OPTIONS, fields: { ownerId: { type: 'string', filterable: true }, title: { type: 'string' }, body: { type: 'string' } } });
    for (const { id, data } of NOTICE_CORPUS) await before.upsertIfNewer(id, 1, data);
    // when the declaration marks title and body full-text (the collection is rebuilt)
    const after = new SqliteReadModelStore(db).collection('notices', NOTICE_OPTIONS);
    // then the old documents are found, and the old table's index is gone with it
    expect(await searchIds(after, 'green')).toEqual(['n4']);
    expect(schemaNames(db, 'table').filter((name) => name.endsWith('_fts'))).toHaveLength(1);
  });

  it('keeps the index when a writer opens the collection by name only', async () => {
    // given the declared collection
    const declared = store.collection('notices', NOTICE_OPTIONS);
    // when another store writes it without options (as a pipeline that knows only the name)
    await new SqliteReadModelStore(db).collection('notices').upsertIfNewer('n9', 1, { ownerId: 'carol', title: 'Violet', body: 'a violet scarf' });
    // then the declared one finds it
    expect(await searchIds(declared, 'violet')).toEqual(['n9']);
  });
});
