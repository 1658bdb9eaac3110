import type { Database } from 'better-sqlite3';
import type { ReadModelCollectionOptions } from '../../core/readmodel/ReadModelStore';
import { dropFtsDdl } from './ReadModelFtsTable';
import { jsonFieldExpression, layoutDdl, readModelTableLayout } from './ReadModelTableLayout';
import type { ReadModelTableLayout } from './ReadModelTableLayout';

/** The meta table: one row per collection, its current table and layout. */
const META = 'read_model_layouts';
/** A view over every collection's table, in the shape of the single table of earlier versions. */
const ALL_COLLECTIONS_VIEW = 'read_models';
/** Where the single table of earlier versions goes while its collections move out. */
const LEGACY_TABLE = 'read_models_legacy';

interface MetaRow {
  table_name: string;
  fingerprint: string;
  layout: string;
}

/**
 * Creates, finds and rebuilds the per-collection tables of one database. A collection opened
 * with options gets the layout they imply: a stored collection with another layout is rebuilt
 * from its JSON documents in one transaction (new table, copy with the new columns extracted,
 * drop the old one). A collection opened without options adopts whatever layout is stored, so a
 * reader that knows only the name never undoes a declaration.
 */
export class ReadModelTables {
  constructor(private readonly db: Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${META} (collection TEXT PRIMARY KEY, table_name TEXT NOT NULL, fingerprint TEXT NOT NULL, layout TEXT NOT NULL)`);
    this.migrateLegacyTable();
  }

  /** The layout of `collection`, after creating or rebuilding its table as `options` say. */
  open(collection: string, options?: ReadModelCollectionOptions): ReadModelTableLayout {
    const wanted = hasLayoutOptions(options) ? readModelTableLayout(collection, options) : undefined;
    // The common case (the table is there, as wanted) takes no write lock.
    const stored = this.stored(collection);
    if (stored && (wanted === undefined || stored.fingerprint === wanted.fingerprint)) return stored;
    return this.db.transaction(() => this.ensure(collection, wanted)).immediate();
  }

  /** The stored layout of `collection`, if it has a table. */
  stored(collection: string): ReadModelTableLayout | undefined {
    const row = this.db.prepare<[string], MetaRow>(`SELECT table_name, fingerprint, layout FROM ${META} WHERE collection = ?`).get(collection);
    return row ? (JSON.parse(row.layout) as ReadModelTableLayout) : undefined;
  }

  // Inside the write transaction: another connection may have done it meanwhile.
  private ensure(collection: string, wanted: ReadModelTableLayout | undefined): ReadModelTableLayout {
    const stored = this.stored(collection);
    if (stored && (wanted === undefined || stored.fingerprint === wanted.fingerprint)) return stored;
    const layout = wanted ?? readModelTableLayout(collection);
    for (const statement of layoutDdl(layout)) this.db.exec(statement);
    if (stored) {
      this.copyDocuments(stored.table, layout);
      this.db.exec(`DROP TABLE IF EXISTS "${stored.table}"`);
      this.db.exec(dropFtsDdl(stored.table));
    }
    this.db
      .prepare(`INSERT INTO ${META} (collection, table_name, fingerprint, layout) VALUES (?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET table_name = excluded.table_name, fingerprint = excluded.fingerprint, layout = excluded.layout`)
      .run(collection, layout.table, layout.fingerprint, JSON.stringify(layout));
    this.refreshView();
    return layout;
  }

  /**
   * Points `collection` at the table of `shadow` (a version a rebuild filled), forgets the
   * shadow's name and drops the table `collection` had (with its FTS table). Readers holding
   * statements on the old table get "no such table" and look the collection up again. Call it
   * inside the caller's write transaction: with the version bookkeeping, it is the switch.
   */
  promote(shadow: string, collection: string): void {
    const next = this.stored(shadow);
    if (!next) return;
    const current = this.stored(collection);
    const layout: ReadModelTableLayout = { ...next, collection };
    this.db
      .prepare(`INSERT INTO ${META} (collection, table_name, fingerprint, layout) VALUES (?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET table_name = excluded.table_name, fingerprint = excluded.fingerprint, layout = excluded.layout`)
      .run(collection, layout.table, layout.fingerprint, JSON.stringify(layout));
    this.db.prepare(`DELETE FROM ${META} WHERE collection = ?`).run(shadow);
    if (current && current.table !== layout.table) {
      this.db.exec(`DROP TABLE IF EXISTS "${current.table}"`);
      this.db.exec(`DROP TABLE IF EXISTS "${current.table}_fts"`);
    }
    this.refreshView();
  }

  /** The stored collections whose names end with `suffix` (the shadows of one rebuild). */
  collectionsEndingWith(suffix: string): string[] {
    const rows = this.db.prepare<[], { collection: string }>(`SELECT collection FROM ${META} ORDER BY collection`).all();
    return rows.map((row) => row.collection).filter((collection) => collection.endsWith(suffix));
  }

  private copyDocuments(from: string, to: ReadModelTableLayout, where = '', parameters: string[] = []): void {
    const columns = to.columns.map((c) => `, "${c.column}"`).join('');
    const values = to.columns.map((c) => `, ${jsonFieldExpression(c.field)}`).join('');
    this.db.prepare(`INSERT INTO "${to.table}" (id, version, data${columns}) SELECT id, version, data${values} FROM "${from}"${where}`).run(...parameters);
  }

  private refreshView(): void {
    // Shadows (`<collection>--<pipeline>--v<n>`, versions a rebuild is filling) are not collections yet.
    const tables = this.db.prepare<[], { collection: string; table_name: string }>(`SELECT collection, table_name FROM ${META} WHERE collection NOT GLOB '*--[a-z]*--v[1-9]*' ORDER BY collection`).all();
    this.db.exec(`DROP VIEW IF EXISTS ${ALL_COLLECTIONS_VIEW}`);
    const selects = tables.map((t) => `SELECT ${quoteLiteral(t.collection)} AS collection, id, version, data FROM "${t.table_name}"`);
    if (selects.length > 0) this.db.exec(`CREATE VIEW ${ALL_COLLECTIONS_VIEW} AS ${selects.join(' UNION ALL ')}`);
  }

  // Databases written before per-collection tables kept every document in one `read_models`
  // table: each collection moves to a table of its own (untyped, no index; the first open with
  // options rebuilds it), then the old table goes.
  private migrateLegacyTable(): void {
    const isLegacy = (): boolean => this.db.prepare<[string], { type: string }>('SELECT type FROM sqlite_master WHERE name = ?').get(ALL_COLLECTIONS_VIEW)?.type === 'table';
    if (!isLegacy()) return;
    this.db
      .transaction(() => {
        // Another connection may have moved them while this one waited for the lock.
        if (!isLegacy()) return;
        this.db.exec(`ALTER TABLE ${ALL_COLLECTIONS_VIEW} RENAME TO ${LEGACY_TABLE}`);
        const collections = this.db.prepare<[], { collection: string }>(`SELECT DISTINCT collection FROM ${LEGACY_TABLE}`).all();
        for (const { collection } of collections) {
          const layout = this.ensure(collection, undefined);
          this.copyDocuments(LEGACY_TABLE, layout, ' WHERE collection = ?', [collection]);
        }
        this.db.exec(`DROP TABLE ${LEGACY_TABLE}`);
        this.refreshView();
      })
      .immediate();
  }
}

function hasLayoutOptions(options: ReadModelCollectionOptions | undefined): options is ReadModelCollectionOptions {
  if (options === undefined) return false;
  return (options.indexedFields?.length ?? 0) > 0 || (options.compositeIndexes?.length ?? 0) > 0 || Object.keys(options.fields ?? {}).length > 0;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
