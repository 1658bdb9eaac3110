/**
 * The FTS5 index of a collection with full-text fields: a table `<layout table>_fts` with one
 * column per full-text field, its rowid the document row's rowid, kept by triggers on the
 * collection's table. Triggers, not code in the store: every write path (upsert, delete, the copy
 * of a layout rebuild, a rebuild into a new version) maintains the index inside the statement,
 * hence inside the document's transaction, and a collection without full-text fields has no
 * trigger and pays nothing.
 */
import type { ReadModelTableLayout } from './ReadModelTableLayout';

/**
 * unicode61 cuts words at everything but letters and digits, folds case and (2) diacritics: the
 * same words as the OpenSearch analyzer (standard tokenizer, lowercase, asciifolding).
 */
const TOKENIZER = 'unicode61 remove_diacritics 2';

/** The FTS5 table of a layout (`<table>_fts`), whether or not it has one. */
export function ftsTableOf(layout: Pick<ReadModelTableLayout, 'table'>): string {
  return `${layout.table}_fts`;
}

/** The FTS5 column of full-text field number `index` (FTS5 reserves `rank` and `rowid`). */
export function ftsColumnOf(field: string): string {
  return `f_${field}`;
}

/** CREATE statements of the FTS5 table and its triggers; none without full-text fields. */
export function ftsDdl(layout: ReadModelTableLayout): string[] {
  const fields = layout.fullText ?? [];
  if (fields.length === 0) return [];
  const table = `"${layout.table}"`;
  const fts = `"${ftsTableOf(layout)}"`;
  const columns = fields.map((field) => `"${ftsColumnOf(field)}"`);
  const values = (row: 'new') => fields.map((field) => `json_extract(${row}.data, '$.${field}')`);
  const assignments = fields.map((field, i) => `${columns[i] ?? ''} = ${values('new')[i] ?? ''}`).join(', ');
  const trigger = (event: string): string => `"${ftsTableOf(layout)}_${event}"`;
  return [
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(${columns.join(', ')}, tokenize = '${TOKENIZER}')`,
    `CREATE TRIGGER IF NOT EXISTS ${trigger('insert')} AFTER INSERT ON ${table} BEGIN INSERT INTO ${fts} (rowid, ${columns.join(', ')}) VALUES (new.rowid, ${values('new').join(', ')}); END`,
    // An upsert of a newer version updates the row in place: its rowid stays.
    `CREATE TRIGGER IF NOT EXISTS ${trigger('update')} AFTER UPDATE OF data ON ${table} BEGIN UPDATE ${fts} SET ${assignments} WHERE rowid = new.rowid; END`,
    `CREATE TRIGGER IF NOT EXISTS ${trigger('delete')} AFTER DELETE ON ${table} BEGIN DELETE FROM ${fts} WHERE rowid = old.rowid; END`,
  ];
}

/** Drops the FTS5 table of a layout (its triggers go with the collection's table). */
export function dropFtsDdl(table: string): string {
  return `DROP TABLE IF EXISTS "${ftsTableOf({ table })}"`;
}
