import type { Types } from '@opensearch-project/opensearch';
import type { ReadModelCollectionOptions } from '../../core/readmodel/ReadModelStore';
import { fullTextFieldsOf } from '../../core/readmodel/ReadModelSearch';
import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';

/** Top-level field names the store maps and queries (the same rule as the SQLite store). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** OpenSearch index names: lower case, no separators it reserves. */
const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Longest string indexed for equality and sort, in characters: Lucene refuses terms over 32766
 * bytes, and a character is at most 4 bytes of UTF-8. Longer values are kept in `data` only.
 */
export const MAX_INDEXED_STRING_CHARS = 8191;

/**
 * How a value compares, as SQLite's `json_extract` types it: 0 null or missing, 1 number (JSON
 * true and false are 1 and 0), 2 text (a string, or an object or array as JSON text). Sorting on
 * the rank first, then the value, gives SQLite's order: NULLs, then numbers, then text.
 */
export const VALUE_RANK = { NULL: 0, NUMBER: 1, TEXT: 2 } as const;

export type ValueRank = (typeof VALUE_RANK)[keyof typeof VALUE_RANK];

/** The indexed form of one declared field: its rank and the value in the slot of that type. */
export interface IndexedValue {
  t: ValueRank;
  n?: number;
  s?: string;
}

/** A read model document as stored: the live form, or the tombstone a delete leaves. */
export interface StoredDocument {
  id: string;
  deleted: boolean;
  /** The document's data, kept in `_source` and never indexed. */
  data?: unknown;
  /** The declared fields, typed for equality and sort. */
  fields?: Record<string, IndexedValue>;
  /** The full-text fields, analysed by {@link FULL_TEXT_ANALYZER}. */
  text?: Record<string, string>;
  /** When the tombstone was written (epoch ms), so a later clean-up can purge old ones. */
  deletedAt?: number;
}

/** The analyzer of full-text fields, defined in every read model index's settings. */
export const FULL_TEXT_ANALYZER = 'nexus_full_text';

/**
 * The analysis settings of a read model index: the standard tokenizer (Unicode word breaks),
 * lower case and ASCII folding, the words SQLite's FTS5 `unicode61 remove_diacritics 2` makes,
 * so both stores match the same documents. No stemming (FTS5 has none by default) and no
 * edge n-grams: a prefix is asked for (`blu*`) and served at query time, so no document pays
 * for n-grams at every write. Every index gets it, so a full-text field declared later can be
 * added to the mapping (analyzers cannot be added to an open index).
 */
export const READ_MODEL_ANALYSIS: Types.Indices_Common.IndexSettingsAnalysis = {
  analyzer: { [FULL_TEXT_ANALYZER]: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] } },
};

/**
 * The mapping of a read model index: explicit and `strict` (a write with anything unplanned is
 * refused rather than silently growing the mapping). `data` is stored but not indexed
 * (`enabled: false`); every declared field gets three typed slots under `fields.<name>`, so the
 * mapping never depends on what a document happens to hold.
 */
export function readModelIndexMapping(fields: Iterable<string>, fullText: readonly string[] = []): Types.Common_Mapping.TypeMapping {
  // `text` only with full-text fields: an index without them keeps the mapping it always had.
  const text: Record<string, Types.Common_Mapping.Property> = fullText.length > 0 ? { text: { type: 'object', properties: textProperties(fullText) } } : {};
  return {
    dynamic: 'strict',
    properties: {
      id: { type: 'keyword' },
      deleted: { type: 'boolean' },
      deletedAt: { type: 'date', format: 'epoch_millis' },
      data: { type: 'object', enabled: false },
      fields: { type: 'object', properties: fieldProperties(fields) },
      ...text,
    },
  };
}

/** The `fields.*` part of {@link readModelIndexMapping}, for adding newly declared fields. */
export function fieldProperties(fields: Iterable<string>): Record<string, Types.Common_Mapping.Property> {
  const properties: Record<string, Types.Common_Mapping.Property> = {};
  for (const field of fields) {
    properties[field] = {
      properties: {
        t: { type: 'byte' },
        n: { type: 'double' },
        s: { type: 'keyword', ignore_above: MAX_INDEXED_STRING_CHARS },
      },
    };
  }
  return properties;
}

/** The `text.*` part of {@link readModelIndexMapping}: one analysed field per full-text field. */
export function textProperties(fullText: Iterable<string>): Record<string, Types.Common_Mapping.Property> {
  const properties: Record<string, Types.Common_Mapping.Property> = {};
  for (const field of fullText) properties[field] = { type: 'text', analyzer: FULL_TEXT_ANALYZER };
  return properties;
}

/** The full-text fields a collection declares, checked. */
export function declaredFullTextFields(options: ReadModelCollectionOptions): string[] {
  const fields = fullTextFieldsOf(options);
  for (const field of fields) checkFieldName(field);
  return fields;
}

/** The fields a collection declares (`indexedFields`, every field of `compositeIndexes`, filterable and sortable `fields`), checked. */
export function declaredFields(options: ReadModelCollectionOptions): string[] {
  // Filterable and sortable fields of a declaration too: an own-scoped grant filters on the owner field.
  const typed = Object.entries(options.fields ?? {}).filter(([, field]) => field.filterable === true || field.sortable === true);
  const fields = new Set([...(options.indexedFields ?? []), ...(options.compositeIndexes ?? []).flat(), ...typed.map(([name]) => name)]);
  for (const field of fields) checkFieldName(field);
  return [...fields];
}

/** Throws `INVALID_READ_MODEL_QUERY` naming `field` unless it is a plain identifier. */
export function checkFieldName(field: string): void {
  if (!FIELD_NAME.test(field)) {
    throw new InvalidReadModelQueryError(`invalid field name '${field}': use letters, digits and _`, { field });
  }
}

/** The index of collection `name`: `<prefix><name>`. */
export function readModelIndexName(prefix: string, name: string): string {
  if (!COLLECTION_NAME.test(name)) {
    throw new InvalidReadModelQueryError(`invalid collection name '${name}': use lower-case letters, digits, - and _`, { collection: name });
  }
  return `${prefix}${name}`;
}

/** The stored form of a live document: its data, and each declared field typed. */
export function liveDocument(id: string, data: unknown, fields: Iterable<string>, fullText: ReadonlySet<string> = new Set()): StoredDocument {
  const indexed: Record<string, IndexedValue> = {};
  const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  for (const field of fields) indexed[field] = indexedValue(source[field]);
  const text: Record<string, string> = {};
  for (const field of fullText) {
    // As SQLite's json_extract gives it to FTS5: strings as they are, anything else as JSON.
    const value = source[field];
    if (value !== undefined && value !== null) text[field] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { id, deleted: false, data, fields: indexed, ...(fullText.size > 0 ? { text } : {}) };
}

/** The stored form of a deleted document: kept, with the delete's version, so older writes stay refused. */
export function tombstone(id: string, nowMs: number): StoredDocument {
  return { id, deleted: true, deletedAt: nowMs };
}

/** How `value` is indexed; {@link VALUE_RANK} says why. */
export function indexedValue(value: unknown): IndexedValue {
  if (value === undefined || value === null) return { t: VALUE_RANK.NULL };
  if (typeof value === 'number') return { t: VALUE_RANK.NUMBER, n: value };
  if (typeof value === 'boolean') return { t: VALUE_RANK.NUMBER, n: value ? 1 : 0 };
  if (typeof value === 'string') return { t: VALUE_RANK.TEXT, s: value };
  return { t: VALUE_RANK.TEXT, s: JSON.stringify(value) };
}
