import type { Database, Statement } from 'better-sqlite3';
import { NexusError } from '../../core/errors/NexusError';
import { READ_MODEL_ERRORS } from '../../core/readmodel/ReadModelStore';
import type {
  ReadModelCollection,
  ReadModelDocument,
  ReadModelPage,
  ReadModelQuery,
  ReadModelStore,
  SyncReadModelCollection,
  ReadModelCollectionOptions,
} from '../../core/readmodel/ReadModelStore';
import { fieldExpression, planReadModelQuery } from './ReadModelQueryPlan';
import type { SortValue } from './ReadModelQueryPlan';

interface DocumentRow {
  id: string;
  version: number;
  data: string;
}

interface QueryRow extends DocumentRow {
  sort_value: SortValue;
}

/** Bound on the per-store cache of prepared query shapes. */
const MAX_CACHED_QUERIES = 256;

/** The statements every collection shares; the collection name is a bound parameter. */
interface SharedStatements {
  select: Statement<[string, string], DocumentRow>;
  upsert: Statement<[string, string, number, string]>;
  delete: Statement<[string, string, number]>;
  query(sql: string): Statement<unknown[], QueryRow>;
}

/**
 * Read models in one `read_models(collection, id, version, data JSON)` table.
 *
 * Guarantees: writes are idempotent by version (`upsertIfNewer` and `deleteIfNewer` only touch
 * a document whose stored version is lower), so replays and duplicates are harmless. Queries
 * filter by equality on top-level fields, sort by any top-level field (ties broken by id) and
 * page with an opaque keyset cursor, stable under concurrent inserts. `indexedFields` become
 * expression indexes on (collection, field, id).
 *
 * Errors: `INVALID_READ_MODEL_QUERY` for a bad field name, value, limit or cursor;
 * `READ_MODEL_UNAVAILABLE` when SQLite fails.
 *
 * @example
 * const orders = new SqliteReadModelStore(db).collection('orders', { indexedFields: ['status'] });
 * await orders.upsertIfNewer('order-1', 3, { status: 'placed', total: 12 });
 * const page = await orders.query({ where: { status: 'placed' }, sortBy: 'total', direction: 'desc' });
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly statements: SharedStatements;
  private readonly queryCache = new Map<string, Statement<unknown[], QueryRow>>();
  // Pipelines ask for their collection once per record: create each index once per store.
  private readonly ensuredIndexes = new Set<string>();

  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS read_models (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL CHECK (json_valid(data)),
        PRIMARY KEY (collection, id)
      )`);
    this.statements = {
      select: db.prepare('SELECT id, version, data FROM read_models WHERE collection = ? AND id = ?'),
      upsert: db.prepare(`
        INSERT INTO read_models (collection, id, version, data) VALUES (?, ?, ?, ?)
        ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version, data = excluded.data
        WHERE excluded.version > read_models.version`),
      delete: db.prepare('DELETE FROM read_models WHERE collection = ? AND id = ? AND version < ?'),
      query: (sql) => this.preparedQuery(sql),
    };
  }

  collection<T = Record<string, unknown>>(name: string, options: ReadModelCollectionOptions = {}): ReadModelCollection<T> {
    const indexes = [...(options.indexedFields ?? []).map((field) => [field]), ...(options.compositeIndexes ?? [])];
    for (const fields of indexes) {
      const indexName = `read_models_by_${fields.join('_')}`;
      if (this.ensuredIndexes.has(indexName)) continue;
      // The same expressions as the queries write, or SQLite would not use the index.
      const expressions = fields.map((field) => fieldExpression(field)).join(', ');
      guard(() => this.db.exec(`CREATE INDEX IF NOT EXISTS ${indexName} ON read_models (collection, ${expressions}, id)`));
      this.ensuredIndexes.add(indexName);
    }
    return new SqliteReadModelCollection<T>(name, this.statements);
  }

  private preparedQuery(sql: string): Statement<unknown[], QueryRow> {
    let statement = this.queryCache.get(sql);
    if (!statement) {
      if (this.queryCache.size >= MAX_CACHED_QUERIES) this.queryCache.clear();
      statement = this.db.prepare<unknown[], QueryRow>(sql);
      this.queryCache.set(sql, statement);
    }
    return statement;
  }
}

class SqliteReadModelCollection<T> implements ReadModelCollection<T>, SyncReadModelCollection<T> {
  constructor(
    readonly name: string,
    private readonly statements: SharedStatements,
  ) {}

  async get(id: string): Promise<ReadModelDocument<T> | undefined> {
    return this.getNow(id);
  }

  async upsertIfNewer(id: string, version: number, data: T): Promise<boolean> {
    return this.upsertIfNewerNow(id, version, data);
  }

  async deleteIfNewer(id: string, version: number): Promise<boolean> {
    return this.deleteIfNewerNow(id, version);
  }

  getNow(id: string): ReadModelDocument<T> | undefined {
    const row = guard(() => this.statements.select.get(this.name, id));
    return row ? toDocument<T>(row) : undefined;
  }

  upsertIfNewerNow(id: string, version: number, data: T): boolean {
    const json = JSON.stringify(data);
    return guard(() => this.statements.upsert.run(this.name, id, version, json).changes > 0);
  }

  deleteIfNewerNow(id: string, version: number): boolean {
    return guard(() => this.statements.delete.run(this.name, id, version).changes > 0);
  }

  async query(query: ReadModelQuery = {}): Promise<ReadModelPage<T>> {
    const plan = planReadModelQuery(query);
    const rows = guard(() => this.statements.query(plan.sql).all(this.name, ...plan.parameters, plan.limit + 1));
    const items = rows.slice(0, plan.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > plan.limit && last ? plan.cursorAfter(last.sort_value, last.id) : undefined;
    return { items: items.map((row) => toDocument<T>(row)), ...(nextCursor === undefined ? {} : { nextCursor }) };
  }
}

function toDocument<T>(row: DocumentRow): ReadModelDocument<T> {
  return { id: row.id, version: row.version, data: JSON.parse(row.data) as T };
}

function guard<R>(operation: () => R): R {
  try {
    return operation();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new NexusError(READ_MODEL_ERRORS.STORE_UNAVAILABLE, `read model store failed: ${message}`, { cause: error });
  }
}
