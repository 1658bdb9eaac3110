/**
 * Ranked search of one collection's FTS5 table (see ReadModelFtsTable.ts): bm25, prefixes,
 * snippets. The MATCH expression is built from the terms of `searchTermsOf`, each quoted, so the
 * user's text never reaches FTS5's query syntax.
 */
import type { Statement } from 'better-sqlite3';
import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';
import { READ_MODEL_SEARCH_DEFAULTS, searchCursorAt, searchLimitOf, searchOffsetOf, searchTermsOf } from '../../core/readmodel/ReadModelSearch';
import type { ReadModelSearchPage, ReadModelSearchQuery, SearchTerm } from '../../core/readmodel/ReadModelSearch';
import { ftsTableOf } from './ReadModelFtsTable';
import { columnOf, jsonFieldExpression } from './ReadModelTableLayout';
import type { ReadModelTableLayout } from './ReadModelTableLayout';

/** Tokens around a match in a highlight fragment. */
const SNIPPET_TOKENS = 12;

interface HitRow {
  id: string;
  version: number;
  data: string;
  score: number;
  [snippet: `h${number}`]: string | null;
}

/**
 * The FTS5 expression of `terms`: every term must match (in any full-text field). A prefix term
 * `blu*` becomes `("blu" OR "blu"*)`: bm25 sums over the phrases a row matches, so a row holding
 * the word itself outranks one holding only longer words, as the OpenSearch query does.
 */
export function ftsMatchExpression(terms: readonly SearchTerm[]): string {
  // Terms are letters, digits and marks only: quoting them needs no escaping.
  return terms.map(({ term, prefix }) => (prefix ? `("${term}" OR "${term}"*)` : `"${term}"`)).join(' AND ');
}

/** Runs `query` against the FTS5 table of `layout`; `prepare` caches statements. */
export function searchFts<T>(layout: ReadModelTableLayout, query: ReadModelSearchQuery, prepare: (sql: string) => Statement<unknown[], unknown>): ReadModelSearchPage<T> {
  const fields = layout.fullText ?? [];
  const terms = searchTermsOf(query.text);
  if (fields.length === 0) throw new InvalidReadModelQueryError(`collection "${layout.collection}" has no full-text field to search`, { field: 'q' });
  const limit = searchLimitOf(query);
  const offset = searchOffsetOf(query, terms);
  const fts = `"${ftsTableOf(layout)}"`;
  const { highlightOpen, highlightClose } = READ_MODEL_SEARCH_DEFAULTS;
  const snippets = fields.map((_, i) => `, snippet(${fts}, ${i}, '${highlightOpen}', '${highlightClose}', '…', ${SNIPPET_TOKENS}) AS h${i}`).join('');
  const filters = Object.entries(query.where ?? {});
  const where = filters.map(([field]) => ` AND ${filterColumn(layout, field)} = ?`).join('');
  // bm25() is lower for better matches; the API's score is higher for better ones.
  const sql =
    `SELECT t.id AS id, t.version AS version, t.data AS data, -bm25(${fts}) AS score${snippets} ` +
    `FROM ${fts} JOIN "${layout.table}" AS t ON t.rowid = ${fts}.rowid ` +
    `WHERE ${fts} MATCH ?${where} ORDER BY bm25(${fts}), t.id LIMIT ? OFFSET ?`;
  const rows = prepare(sql).all(ftsMatchExpression(terms), ...filters.map(([, value]) => value), limit + 1, offset) as HitRow[];
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? searchCursorAt(query, terms, offset + limit) : undefined;
  return {
    hits: page.map((row) => ({
      document: { id: row.id, version: row.version, data: JSON.parse(row.data) as T },
      score: row.score,
      highlights: highlightsOf(row, fields),
    })),
    ...(nextCursor === undefined ? {} : { nextCursor }),
  };
}

function highlightsOf(row: HitRow, fields: readonly string[]): Record<string, string[]> {
  const highlights: Record<string, string[]> = {};
  fields.forEach((field, i) => {
    const fragment = row[`h${i}`];
    // snippet() of a field without a match is its first words, unmarked: not a highlight.
    if (typeof fragment === 'string' && fragment.includes(READ_MODEL_SEARCH_DEFAULTS.highlightOpen)) highlights[field] = [fragment];
  });
  return highlights;
}

function filterColumn(layout: ReadModelTableLayout, field: string): string {
  const column = columnOf(layout, field);
  // `data` is the document's: the FTS5 table's columns are all `f_<field>`.
  return column === undefined ? jsonFieldExpression(field) : `t."${column}"`;
}
