import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import { READ_MODEL_ERRORS } from '../../../core/readmodel/ReadModelStore';
import { planReadModelQuery } from '../../../adapters/embedded/ReadModelQueryPlan';
import { readModelTableLayout } from '../../../adapters/embedded/ReadModelTableLayout';
import type { ReadModelCollectionOptions } from '../../../core/readmodel/ReadModelStore';
import { collectionOptionsOf } from '../../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../../../domain';

describe('SqliteReadModelStore', () => {
  let db: Database.Database;
  let store: SqliteReadModelStore;

  beforeEach(() => {
    db = new Database(':memory:');
    store = new SqliteReadModelStore(db);
  });

  afterEach(() => {
    db.close();
  });

  /** How SQLite runs `query` on `collection` laid out by `options`. */
  function queryPlanOf(options: ReadModelCollectionOptions, query: Parameters<typeof planReadModelQuery>[0]): string {
    const { sql, parameters, limit } = planReadModelQuery(query, readModelTableLayout('orders', options));
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters, limit + 1) as { detail: string }[]).map((step) => step.detail).join('\n');
  }

  it('gives each collection a table of its own, with declared fields as typed columns beside the JSON document', () => {
    // given a collection declared with typed fields
    const options = { fields: { status: { type: 'string', filterable: true }, total: { type: 'number', sortable: true }, note: { type: 'string' } } } as const;
    store.collection('orders', options);
    // when reading its table's columns
    const { table } = readModelTableLayout('orders', options);
    const columns = db.prepare(`SELECT name, type FROM pragma_table_info('${table}')`).all();
    // then the filterable and sortable fields are columns of their declared type; the others stay in the JSON only
    expect(table).toMatch(/^rm_orders_[0-9a-f]{8}$/);
    expect(columns).toEqual([
      { name: 'id', type: 'TEXT' },
      { name: 'version', type: 'INTEGER' },
      { name: 'data', type: 'TEXT' },
      { name: 'f_status', type: 'TEXT' },
      { name: 'f_total', type: 'REAL' },
    ]);
  });

  it('bounds and sanitizes the table name of any collection name', () => {
    // given collection names with SQL in them, a long one, and two that sanitize alike
    const names = ["x\"; DROP TABLE read_model_layouts; --", 'a'.repeat(300), 'order-notices', 'order_notices'];
    // when laying them out
    const tables = names.map((name) => readModelTableLayout(name).table);
    // then every table name is a plain identifier of bounded length, each its own
    for (const table of tables) expect(table).toMatch(/^rm_[A-Za-z0-9_]{1,40}_[0-9a-f]{8}$/);
    expect(new Set(tables).size).toBe(names.length);
  });

  it('writes the column of a field as json_extract reads it from the document', async () => {
    // given a collection with untyped columns for a string, a number, a boolean, an object and a missing field
    const options = { indexedFields: ['s', 'n', 'b', 'o', 'm'] };
    const orders = store.collection('orders', options);
    // when writing a document
    await orders.upsertIfNewer('x', 1, { s: 'a', n: 2.5, b: true, o: { k: [1] } });
    // then every column equals the JSON field
    const { table } = readModelTableLayout('orders', options);
    const row = db
      .prepare(`SELECT f_s = json_extract(data, '$.s') AND f_n = json_extract(data, '$.n') AND f_b = json_extract(data, '$.b') AND f_o = json_extract(data, '$.o') AND f_m IS NULL AS same FROM "${table}"`)
      .get();
    expect(row).toEqual({ same: 1 });
  });

  it('serves an equality filter from a plain column index, with no JSON read', () => {
    // given a collection with an indexed field
    store.collection('orders', { indexedFields: ['status'] });
    // when SQLite plans a query filtering on it
    const plan = queryPlanOf({ indexedFields: ['status'] }, { where: { status: 'placed' } });
    // then the plan searches the column's index
    expect(plan).toMatch(/USING INDEX rm_orders_[0-9a-f]{8}_by_status/);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND sql LIKE '%json_extract%'").get()).toEqual({ n: 0 });
  });

  it('serves a filtered, sorted page from a composite index without sorting every match', async () => {
    // given a collection with a (customerId, createdAt) index and a customer with many orders
    const options = { indexedFields: ['customerId'], compositeIndexes: [['customerId', 'createdAt']] };
    const orders = store.collection('orders', options);
    for (let i = 0; i < 50; i += 1) await orders.upsertIfNewer(`o-${i}`, 1, { customerId: 'c-1', createdAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` });
    // when asking SQLite how it runs the list query
    const plan = queryPlanOf(options, { where: { customerId: 'c-1' }, sortBy: 'createdAt', direction: 'desc', limit: 20 });
    // then it walks the composite index in order and needs no temporary sort
    expect(plan).toMatch(/_by_customerId_createdAt/);
    expect(plan).not.toContain('TEMP B-TREE');
    const page = await orders.query({ where: { customerId: 'c-1' }, sortBy: 'createdAt', direction: 'desc', limit: 3 });
    expect(page.items.map((item) => item.id)).toEqual(['o-49', 'o-48', 'o-47']);
  });

  it.each([
    ['no filter', 'createdAt', {}],
    ['no filter', 'updatedAt', {}],
    ['no filter', 'totalAmount', {}],
    ['a status', 'createdAt', { status: 'PLACED' }],
    ['a customer', 'createdAt', { customerId: 'c-1' }],
  ])("serves the order list's page with %s sorted by %s from an index, never a scan of the table", (_label, sortBy, where) => {
    // given the order-list collection laid out from its declaration
    const options = collectionOptionsOf(orderListReadModel);
    store.collection('orders', options);
    // when asking SQLite how it runs the list query
    const plan = queryPlanOf(options, { where, sortBy, direction: 'desc', limit: 20 });
    // then it walks an index in order: no full scan, no temporary sort
    expect(plan).toMatch(/USING INDEX rm_orders_[0-9a-f]{8}_by_/);
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('refuses an indexed field that is not a plain identifier', () => {
    // given a field name with SQL in it
    // when creating the collection
    const create = (): unknown => store.collection('orders', { indexedFields: ["x'); DROP TABLE read_model_layouts; --"] });
    // then it is refused and no table was created
    expect(create).toThrow(expect.objectContaining({ code: READ_MODEL_ERRORS.INVALID_QUERY }));
    expect(db.prepare('SELECT COUNT(*) AS n FROM read_model_layouts').get()).toEqual({ n: 0 });
  });

  it('refuses a cursor issued for another sort order', async () => {
    // given a cursor from a query sorted by total
    const orders = store.collection('orders');
    for (const id of ['a', 'b', 'c']) await orders.upsertIfNewer(id, 1, { total: 1 });
    const { nextCursor } = await orders.query({ sortBy: 'total', limit: 1 });
    // when using it for a query sorted by id
    const query = orders.query({ cursor: nextCursor });
    // then it is refused
    await expect(query).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { cursor: nextCursor } });
  });

  it('refuses a filter value that is not a string, number or boolean', async () => {
    // given a filter on an object value
    const orders = store.collection('orders');
    // when querying
    const query = orders.query({ where: { status: { $ne: 'x' } as unknown as string } });
    // then the field is named in the refusal
    await expect(query).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'status' } });
  });
});
