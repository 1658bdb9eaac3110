import { createHash } from 'node:crypto';
import type { ReadModelFieldType } from '../../core/readmodel/ReadModelDeclaration';
import type { ReadModelCollectionOptions } from '../../core/readmodel/ReadModelStore';
import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';
import { fullTextFieldsOf } from '../../core/readmodel/ReadModelSearch';
import { ftsDdl } from './ReadModelFtsTable';

/** SQLite column affinity of a field column; '' is a column without a declared type (values kept as given). */
export type ColumnAffinity = 'TEXT' | 'REAL' | 'INTEGER' | '';

/** One top-level field of the documents, copied into a column of its own. */
export interface ReadModelColumn {
  field: string;
  /** The column name (already a safe identifier). */
  column: string;
  affinity: ColumnAffinity;
}

/** One plain index over columns, `id` last (the keyset tie-break). */
export interface ReadModelIndex {
  name: string;
  fields: readonly string[];
}

/**
 * The physical table of one collection, derived from its options alone: the same options give
 * the same layout (and fingerprint) in every process.
 */
export interface ReadModelTableLayout {
  collection: string;
  /** `rm_<collection, sanitized>_<8 hex of collection and fingerprint>`: a new layout is a new table. */
  table: string;
  columns: readonly ReadModelColumn[];
  indexes: readonly ReadModelIndex[];
  /** Full-text fields, indexed by FTS5 in `<table>_fts` (absent: none). */
  fullText?: readonly string[];
  /** Hash of the columns, indexes and full-text fields; a stored collection with another one is rebuilt. */
  fingerprint: string;
}

/** Field names we splice into column names and JSON paths. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Bumped when the way a layout becomes SQL changes, so every table is rebuilt once. */
const LAYOUT_FORMAT = 1;
const MAX_TABLE_STEM = 40;

const AFFINITY: Record<ReadModelFieldType, ColumnAffinity> = {
  string: 'TEXT',
  timestamp: 'TEXT',
  number: 'REAL',
  integer: 'INTEGER',
  boolean: 'INTEGER',
};

/**
 * The layout `options` imply: a column for every declared filterable or sortable field and every
 * indexed field (typed by its declared type; untyped when undeclared), one index per indexed
 * field and per composite index. Other fields stay in the JSON document only.
 */
export function readModelTableLayout(collection: string, options: ReadModelCollectionOptions = {}): ReadModelTableLayout {
  const declared = options.fields ?? {};
  const indexes = [...(options.indexedFields ?? []).map((field) => [field]), ...(options.compositeIndexes ?? [])];
  const fields = new Set<string>();
  for (const [name, field] of Object.entries(declared)) if (field.filterable === true || field.sortable === true) fields.add(name);
  for (const index of indexes) for (const field of index) fields.add(field);
  const used = new Set<string>();
  const columns = [...fields].map((field): ReadModelColumn => {
    checkFieldName(field);
    const type = declared[field]?.type;
    return { field, column: uniqueColumn(`f_${field}`, used), affinity: type === undefined ? '' : AFFINITY[type] };
  });
  const columnKey = JSON.stringify(columns.map((c) => [c.field, c.column, c.affinity]));
  const uniqueIndexes = [...new Map(indexes.map((index) => [JSON.stringify(index), index])).values()];
  const fullText = fullTextFieldsOf(options);
  for (const field of fullText) checkFieldName(field);
  // Only a layout with full-text fields hashes them: the others keep their tables.
  const fingerprint = sha256(JSON.stringify([LAYOUT_FORMAT, columnKey, uniqueIndexes, ...(fullText.length > 0 ? [fullText] : [])])).slice(0, 16);
  const stem = collection.replace(/[^A-Za-z0-9_]/g, '_').slice(0, MAX_TABLE_STEM);
  const table = `rm_${stem}_${sha256(`${collection}\u0000${fingerprint}`).slice(0, 8)}`;
  return {
    collection,
    table,
    columns,
    indexes: uniqueIndexes.map((index) => ({ name: `${table}_by_${index.join('_')}`, fields: index })),
    ...(fullText.length > 0 ? { fullText } : {}),
    fingerprint,
  };
}

/** The column of `field` in `layout`, if it has one. */
export function columnOf(layout: ReadModelTableLayout, field: string): string | undefined {
  return layout.columns.find((column) => column.field === field)?.column;
}

/**
 * The column value of a document's field, equal to what `json_extract(data, '$.<field>')` gives
 * for the JSON of the document (so a rebuild from JSON and a write from the object agree):
 * booleans as 1/0, objects and arrays as JSON text, missing or non-finite as NULL.
 */
export function columnValue(value: unknown): string | number | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || typeof value !== 'object') return null;
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return null;
  // An object with toJSON (a Date) may serialise to a scalar.
  const parsed = JSON.parse(json) as unknown;
  return typeof parsed === 'object' && parsed !== null ? json : columnValue(parsed);
}

/** CREATE TABLE and CREATE INDEX statements of `layout`. */
export function layoutDdl(layout: ReadModelTableLayout): string[] {
  const columns = layout.columns.map((c) => `, "${c.column}"${c.affinity === '' ? '' : ` ${c.affinity}`}`).join('');
  return [
    `CREATE TABLE IF NOT EXISTS "${layout.table}" (id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL${columns})`,
    ...layout.indexes.map((index) => {
      const indexed = index.fields.map((field) => `"${columnOf(layout, field) ?? ''}"`).join(', ');
      return `CREATE INDEX IF NOT EXISTS "${index.name}" ON "${layout.table}" (${indexed}, id)`;
    }),
    ...ftsDdl(layout),
  ];
}

/** The SQL expression of a top-level JSON field (for fields without a column, and rebuilds). */
export function jsonFieldExpression(field: string): string {
  checkFieldName(field);
  return `json_extract(data, '$.${field}')`;
}

function checkFieldName(field: string): void {
  if (!FIELD_NAME.test(field)) {
    throw new InvalidReadModelQueryError(`invalid field name '${field}': use letters, digits and _`, { field });
  }
}

// SQLite column names are case-insensitive: `status` and `Status` need two names.
function uniqueColumn(wanted: string, used: Set<string>): string {
  let column = wanted;
  for (let n = 2; used.has(column.toLowerCase()); n += 1) column = `${wanted}_${n}`;
  used.add(column.toLowerCase());
  return column;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
