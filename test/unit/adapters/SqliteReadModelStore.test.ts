import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import { READ_MODEL_ERRORS } from '../../../core/readmodel/ReadModelStore';
import { planReadModelQuery } from '../../../adapters/embedded/ReadModelQueryPlan';
import { ORDER_LIST_COMPOSITE_INDEXES, ORDER_LIST_INDEXED_FIELDS } from '../../../domain';

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

  it('creates an expression index for each indexed field, which equality queries use', () => {
    // given a collection with an indexed field
    store.collection('orders', { indexedFields: ['status'] });
    // when SQLite plans a query filtering on it
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM read_models WHERE collection = ? AND json_extract(data, '$.status') = ? ORDER BY id")
      .all('orders', 'placed') as { detail: string }[];
    // then the plan searches the index
    expect(plan.map((step) => step.detail).join('\n')).toContain('read_models_by_status');
  });

  it('serves a filtered, sorted page from a composite index without sorting every match', async () => {
    // given a collection with a (customerId, createdAt) index and a customer with many orders
    const orders = store.collection('orders', { indexedFields: ['customerId'], compositeIndexes: [['customerId', 'createdAt']] });
    for (let i = 0; i < 50; i += 1) await orders.upsertIfNewer(`o-${i}`, 1, { customerId: 'c-1', createdAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` });
    const { sql } = planReadModelQuery({ where: { customerId: 'c-1' }, sortBy: 'createdAt', direction: 'desc', limit: 20 });
    // when asking SQLite how it runs the list query
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('orders', 'c-1', 20) as { detail: string }[]).map((step) => step.detail).join('\n');
    // then it walks the composite index in order and needs no temporary sort
    expect(plan).toContain('read_models_by_customerId_createdAt');
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
    // given the order-list collection with the indexes it declares
    store.collection('orders', { indexedFields: ORDER_LIST_INDEXED_FIELDS, compositeIndexes: ORDER_LIST_COMPOSITE_INDEXES });
    const { sql, parameters } = planReadModelQuery({ where, sortBy, direction: 'desc', limit: 20 });
    // when asking SQLite how it runs the list query
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('orders', ...parameters, 21) as { detail: string }[]).map((step) => step.detail).join('\n');
    // then it walks an index in order: no full scan, no temporary sort
    expect(plan).toMatch(/USING INDEX read_models_by_/);
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('refuses an indexed field that is not a plain identifier', () => {
    // given a field name with SQL in it
    // when creating the collection
    const create = (): unknown => store.collection('orders', { indexedFields: ["x'); DROP TABLE read_models; --"] });
    // then it is refused and the table is intact
    expect(create).toThrow(expect.objectContaining({ code: READ_MODEL_ERRORS.INVALID_QUERY }));
    expect(db.prepare('SELECT COUNT(*) AS n FROM read_models').get()).toEqual({ n: 0 });
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
