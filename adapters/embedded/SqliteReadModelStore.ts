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
import type { ReadModelSearchPage, ReadModelSearchQuery, SearchableReadModelCollection } from '../../core/readmodel/ReadModelSearch';
import { searchFts } from './ReadModelFtsSearch';
import { planReadModelQuery } from './ReadModelQueryPlan';
import type { SortValue } from './ReadModelQueryPlan';
import { columnValue } from './ReadModelTableLayout';
import type { ReadModelTableLayout } from './ReadModelTableLayout';
import { ReadModelRowUpdates } from './ReadModelRowUpdate';
import type { StoredColumns } from './ReadModelRowUpdate';
import { ReadModelTables } from './ReadModelTables';
import { sqliteFailureAs } from './sqliteFailureAs';

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

/** One collection's table as this store last found it, and its statements. */
interface BoundTable {
  layout: ReadModelTableLayout;
  /** `[version, data, ...columns in layout order]` of one id: an array, not an object with named keys, on the projection's hot path. */
  select: Statement<[string], unknown[]>;
  upsert: Statement<unknown[]>;
  /** Updates of the changed columns only (tables with columns). */
  updates?: ReadModelRowUpdates;
  /**
   * The row `select` read last, with its column values: a projection reads a document, then
   * writes it, and the write compares against this instead of reading the row again (the
   * update's guards make a stale one harmless).
   */
  lastRead?: StoredColumns;
  delete: Statement<[string, number]>;
}

/** More columns than fit a bit mask of changed ones: every column is written. */
const MAX_SELECTIVE_COLUMNS = 30;

/**
 * Read models, each collection in a table of its own: `id`, `version`, the document as JSON in
 * `data`, and a typed column per declared filterable or sortable field (and per indexed field),
 * with a plain index per indexed field and per composite index. The layout comes from the
 * collection's options (`collectionOptionsOf(declaration)`); opened with other options than the
 * stored ones, the collection is rebuilt from its JSON documents in one transaction. Opened
 * without options, it keeps the stored layout. A `read_models(collection, id, version, data)`
 * view spans every collection, as the single table of earlier versions did (and a database
 * holding that table is moved to per-collection tables when first opened).
 *
 * Guarantees: writes are idempotent by version (`upsertIfNewer` and `deleteIfNewer` only touch
 * a document whose stored version is lower), so replays and duplicates are harmless. Queries
 * filter by equality on top-level fields, sort by any top-level field (ties broken by id) and
 * page with an opaque keyset cursor, stable under concurrent inserts; a field without a column
 * is read from the JSON (correct, unindexed).
 * Full-text fields (`fullText: true`) are indexed by FTS5 in `<table>_fts`, kept by triggers in
 * the document's own statement; `search` ranks by bm25 (ReadModelFtsTable.ts, ReadModelFtsSearch.ts).
 *
 * Errors: `INVALID_READ_MODEL_QUERY` for a bad field name, value, limit or cursor;
 * `READ_MODEL_UNAVAILABLE` when SQLite fails.
 *
 * @example
 * const orders = new SqliteReadModelStore(db).collection('orders', collectionOptionsOf(orderListReadModel));
 * await orders.upsertIfNewer('order-1', 3, { status: 'PLACED', totalAmount: 12 });
 * const page = await orders.query({ where: { status: 'PLACED' }, sortBy: 'totalAmount', direction: 'desc' });
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly tables: ReadModelTables;
  private readonly bound = new Map<string, BoundTable>();
  private readonly queryCache = new Map<string, Statement<unknown[], QueryRow>>();
  /** Names and options this store has opened with (`collection`), so a repeat skips the layout check. */
  private readonly opened = new Set<string>();

  constructor(private readonly db: Database) {
    this.tables = guard(() => new ReadModelTables(db));
  }

  collection<T = Record<string, unknown>>(name: string, options?: ReadModelCollectionOptions): ReadModelCollection<T> {
    // Pipelines open their collection in every run of their pipe (once per lane and batch): the
    // same options as last time need no layout check, and a table switched or rebuilt since is
    // found by the statements' retry ("no such table").
    const opened = `${name}\u0000${JSON.stringify(options ?? null)}`;
    if (this.opened.has(opened) && this.bound.has(name)) return new SqliteReadModelCollection<T>(name, this);
    const layout = guard(() => this.tables.open(name, options));
    this.opened.add(opened);
    // The table, not only the fingerprint: a rebuild switches to a new table of the same layout.
    if (this.bound.get(name)?.layout.table !== layout.table) this.bind(name, layout);
    return new SqliteReadModelCollection<T>(name, this);
  }

  /** The statements of `name`'s table; `stale`: the table this store knew is gone, look again. */
  table(name: string, stale = false): BoundTable {
    const known = this.bound.get(name);
    if (known && !stale) return known;
    // Another store or connection rebuilt (or created) the collection: adopt what is stored.
    return this.bind(name, guard(() => this.tables.open(name)));
  }

  query(sql: string): Statement<unknown[], QueryRow> {
    let statement = this.queryCache.get(sql);
    if (!statement) {
      if (this.queryCache.size >= MAX_CACHED_QUERIES) this.queryCache.clear();
      statement = this.db.prepare<unknown[], QueryRow>(sql);
      this.queryCache.set(sql, statement);
    }
    return statement;
  }

  private bind(name: string, layout: ReadModelTableLayout): BoundTable {
    const table = `"${layout.table}"`;
    const columns = layout.columns.map((c) => `, "${c.column}"`).join('');
    const placeholders = layout.columns.map(() => ', ?').join('');
    const updates = layout.columns.map((c) => `, "${c.column}" = excluded."${c.column}"`).join('');
    const bound = guard(() => ({
      layout,
      select: this.db.prepare<[string], unknown[]>(`SELECT version, data${columns} FROM ${table} WHERE id = ?`).raw(),
      upsert: this.db.prepare<unknown[]>(
        `INSERT INTO ${table} (id, version, data${columns}) VALUES (?, ?, ?${placeholders}) ` +
          `ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data${updates} WHERE excluded.version > ${table}.version`,
      ),
      delete: this.db.prepare<[string, number]>(`DELETE FROM ${table} WHERE id = ? AND version < ?`),
      ...(layout.columns.length > 0 && layout.columns.length <= MAX_SELECTIVE_COLUMNS ? { updates: new ReadModelRowUpdates(this.db, layout) } : {}),
    }));
    this.bound.set(name, bound);
    return bound;
  }
}

class SqliteReadModelCollection<T> implements ReadModelCollection<T>, SyncReadModelCollection<T>, SearchableReadModelCollection<T> {
  constructor(
    readonly name: string,
    private readonly store: SqliteReadModelStore,
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
    const row = this.run((table) => {
      const found = table.select.get(id);
      if (table.updates !== undefined) table.lastRead = found === undefined ? undefined : { id, version: found[0] as number, values: found.slice(2) };
      return found;
    });
    return row === undefined ? undefined : { id, version: row[0] as number, data: JSON.parse(row[1] as string) as T };
  }

  upsertIfNewerNow(id: string, version: number, data: T): boolean {
    const json = JSON.stringify(data);
    return this.run((table) => {
      const fields = data as Record<string, unknown> | null | undefined;
      const values = table.layout.columns.map((column) => columnValue(typeof fields === 'object' && fields !== null ? fields[column.field] : undefined));
      const remembered = table.lastRead?.id === id ? table.lastRead : undefined;
      table.lastRead = undefined;
      const stored: StoredColumns | undefined = remembered ?? table.updates?.read(id);
      if (stored !== undefined) {
        // A remembered row may be stale: only a row read just now settles a refusal here.
        if (remembered === undefined && stored.version >= version) return false;
        if (table.updates?.update(id, version, json, values, stored) === true) return true;
      }
      return table.upsert.run(id, version, json, ...values).changes > 0;
    });
  }

  deleteIfNewerNow(id: string, version: number): boolean {
    return this.run((table) => table.delete.run(id, version).changes > 0);
  }

  async query(query: ReadModelQuery = {}): Promise<ReadModelPage<T>> {
    const rows = this.run((table) => {
      const plan = planReadModelQuery(query, table.layout);
      return { plan, rows: this.store.query(plan.sql).all(...plan.parameters, plan.limit + 1) };
    });
    const { plan } = rows;
    const items = rows.rows.slice(0, plan.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.rows.length > plan.limit && last ? plan.cursorAfter(last.sort_value, last.id) : undefined;
    return { items: items.map((row) => toDocument<T>(row)), ...(nextCursor === undefined ? {} : { nextCursor }) };
  }

  async search(query: ReadModelSearchQuery): Promise<ReadModelSearchPage<T>> {
    return this.run((table) => searchFts<T>(table.layout, query, (sql) => this.store.query(sql)));
  }

  // A statement on a table another store or connection has since rebuilt fails with "no such
  // table": look the collection up again and retry once.
  private run<R>(operation: (table: BoundTable) => R): R {
    try {
      return guard(() => operation(this.store.table(this.name)));
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      return guard(() => operation(this.store.table(this.name, true)));
    }
  }
}

function isMissingTable(error: unknown): boolean {
  // The message, not `instanceof`: the native module's errors may come from another realm (jest).
  return error instanceof NexusError && error.code === READ_MODEL_ERRORS.STORE_UNAVAILABLE && error.message.includes('no such table');
}

function toDocument<T>(row: DocumentRow): ReadModelDocument<T> {
  return { id: row.id, version: row.version, data: JSON.parse(row.data) as T };
}

function guard<R>(operation: () => R): R {
  return sqliteFailureAs(READ_MODEL_ERRORS.STORE_UNAVAILABLE, 'read model store', operation);
}
