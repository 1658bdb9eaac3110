import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import { readModelTableLayout } from '../../../adapters/embedded/ReadModelTableLayout';
import type { ReadModelCollectionOptions } from '../../../core/readmodel/ReadModelStore';

interface Order {
  status: string;
  total: number;
  placedAt?: string;
}

/** Declaration A: status filterable. */
const DECLARED_A: ReadModelCollectionOptions = { fields: { status: { type: 'string', filterable: true }, total: { type: 'number' } } };
/** Declaration B: A plus a new sortable field. */
const DECLARED_B: ReadModelCollectionOptions = {
  fields: { status: { type: 'string', filterable: true }, total: { type: 'number', sortable: true } },
  indexedFields: ['total'],
};

describe('SqliteReadModelStore when a declaration changes', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nexus-rm-layout-'));
    path = join(dir, 'read-models.db');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `use` on a store over a fresh connection to the database file, then closes it. */
  async function withStore<R>(use: (store: SqliteReadModelStore, db: Database.Database) => Promise<R> | R): Promise<R> {
    const db = new Database(path);
    try {
      return await use(new SqliteReadModelStore(db), db);
    } finally {
      db.close();
    }
  }

  function tableNames(db: Database.Database): string[] {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  }

  it('rebuilds the collection with the new column and index, documents intact, when reopened with a new sortable field', async () => {
    // given documents written under declaration A
    await withStore(async (store) => {
      const orders = store.collection<Order>('orders', DECLARED_A);
      await orders.upsertIfNewer('o1', 3, { status: 'placed', total: 30 });
      await orders.upsertIfNewer('o2', 1, { status: 'placed', total: 10 });
      await orders.upsertIfNewer('o3', 2, { status: 'cancelled', total: 20 });
    });
    // when reopening with declaration B
    const { page, table, plan, tables } = await withStore(async (store, db) => {
      const orders = store.collection<Order>('orders', DECLARED_B);
      const layout = readModelTableLayout('orders', DECLARED_B);
      return {
        page: await orders.query({ sortBy: 'total', direction: 'desc' }),
        table: db.prepare(`SELECT id, version, f_total FROM "${layout.table}" ORDER BY id`).all(),
        plan: (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM "${layout.table}" ORDER BY f_total, id`).all() as { detail: string }[]).map((s) => s.detail).join('\n'),
        tables: tableNames(db),
      };
    });
    // then queries on the new field work from its index, every document and version survived, and only the new table is left
    expect(page.items.map((item) => [item.id, item.version, item.data])).toEqual([
      ['o1', 3, { status: 'placed', total: 30 }],
      ['o3', 2, { status: 'cancelled', total: 20 }],
      ['o2', 1, { status: 'placed', total: 10 }],
    ]);
    expect(table).toEqual([
      { id: 'o1', version: 3, f_total: 30 },
      { id: 'o2', version: 1, f_total: 10 },
      { id: 'o3', version: 2, f_total: 20 },
    ]);
    expect(plan).toContain('_by_total');
    expect(tables).toEqual([readModelTableLayout('orders', DECLARED_B).table]);
  });

  it('keeps the table as it is when reopened with the same declaration', async () => {
    // given a collection written under declaration A
    const before = await withStore(async (store, db) => {
      await store.collection<Order>('orders', DECLARED_A).upsertIfNewer('o1', 1, { status: 'placed', total: 1 });
      return db.prepare("SELECT name, rootpage FROM sqlite_master WHERE name LIKE 'rm\\_%' ESCAPE '\\'").all();
    });
    // when reopening with the same declaration
    const after = await withStore((store, db) => {
      store.collection<Order>('orders', DECLARED_A);
      return db.prepare("SELECT name, rootpage FROM sqlite_master WHERE name LIKE 'rm\\_%' ESCAPE '\\'").all();
    });
    // then nothing was rebuilt
    expect(after).toEqual(before);
  });

  it('keeps the declared layout when a reader opens the collection by name only', async () => {
    // given a collection laid out by declaration B
    await withStore(async (store) => {
      await store.collection<Order>('orders', DECLARED_B).upsertIfNewer('o1', 1, { status: 'placed', total: 5 });
    });
    // when another store opens it without options, writes and queries
    const { page, tables } = await withStore(async (store, db) => {
      const orders = store.collection<Order>('orders');
      await orders.upsertIfNewer('o2', 1, { status: 'placed', total: 7 });
      return { page: await orders.query({ sortBy: 'total', direction: 'desc' }), tables: tableNames(db) };
    });
    // then it wrote into the declared table, columns included, and nothing was rebuilt
    expect(tables).toEqual([readModelTableLayout('orders', DECLARED_B).table]);
    expect(page.items.map((item) => item.id)).toEqual(['o2', 'o1']);
  });

  it('follows a rebuild made by another store on the same database', async () => {
    // given two stores on one database, the first holding the collection under declaration A
    await withStore(async (first, db) => {
      const stale = first.collection<Order>('orders', DECLARED_A);
      await stale.upsertIfNewer('o1', 1, { status: 'placed', total: 5 });
      // when the second rebuilds it under declaration B and the first writes and reads again
      new SqliteReadModelStore(db).collection<Order>('orders', DECLARED_B);
      await stale.upsertIfNewer('o2', 1, { status: 'placed', total: 7 });
      const page = await stale.query({ sortBy: 'total', direction: 'desc' });
      // then the first store's writes land in the new table, its columns filled
      expect(page.items.map((item) => item.id)).toEqual(['o2', 'o1']);
      const { table } = readModelTableLayout('orders', DECLARED_B);
      expect(db.prepare(`SELECT f_total FROM "${table}" WHERE id = 'o2'`).get()).toEqual({ f_total: 7 });
    });
  });

  it('shows every collection through the read_models view', async () => {
    // given documents in two collections
    const rows = await withStore(async (store, db) => {
      await store.collection<Order>('orders', DECLARED_A).upsertIfNewer('o1', 2, { status: 'placed', total: 5 });
      await store.collection('notices').upsertIfNewer('n1', 1, { text: 'hi' });
      // when reading the view, as an operator's SQL would
      return db.prepare('SELECT collection, id, version, data FROM read_models ORDER BY collection, id').all();
    });
    // then both collections are there
    expect(rows).toEqual([
      { collection: 'notices', id: 'n1', version: 1, data: '{"text":"hi"}' },
      { collection: 'orders', id: 'o1', version: 2, data: '{"status":"placed","total":5}' },
    ]);
  });

  it('moves the documents of the single table of earlier versions into per-collection tables', async () => {
    // given a database written by an earlier version, every collection in one read_models table
    await withStore((_store, db) => db.exec('DROP VIEW IF EXISTS read_models; DROP TABLE read_model_layouts'));
    const legacy = new Database(path);
    legacy.exec(`CREATE TABLE read_models (collection TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (collection, id));
      INSERT INTO read_models VALUES ('orders', 'o1', 4, '{"status":"placed","total":12}'), ('notices', 'n1', 1, '{"text":"hi"}');`);
    legacy.close();
    // when a store opens it and the collection is declared
    const { order, notice, page } = await withStore(async (store) => {
      const orders = store.collection<Order>('orders', DECLARED_B);
      return { order: await orders.get('o1'), notice: await store.collection('notices').get('n1'), page: await orders.query({ where: { status: 'placed' }, sortBy: 'total' }) };
    });
    // then every document is where its collection is, at its version
    expect(order).toEqual({ id: 'o1', version: 4, data: { status: 'placed', total: 12 } });
    expect(notice).toEqual({ id: 'n1', version: 1, data: { text: 'hi' } });
    expect(page.items.map((item) => item.id)).toEqual(['o1']);
  });
});
