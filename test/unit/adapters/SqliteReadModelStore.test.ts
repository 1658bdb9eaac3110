import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import { READ_MODEL_ERRORS } from '../../../core/readmodel/ReadModelStore';

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
