import type { NexusError } from '../../core/errors/NexusError';
import { RANGE_OPERATORS } from '../../core/readmodel/ReadModelStore';
import type { ReadModelQuery, ReadModelRange, SortDirection } from '../../core/readmodel/ReadModelStore';
import { checkFieldName, indexedValue, VALUE_RANK } from './openSearchReadModelIndex';
import { decodeCursor, encodeCursor } from '../../core/pagination/opaqueCursor';
import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** A value of a hit's `sort` array, passed back as `search_after`. */
export type SortValue = string | number;

/** The search body of one page of a read model query, and how to make the next page's cursor. */
export interface OpenSearchQueryPlan {
  body: Record<string, unknown>;
  limit: number;
  /** The cursor for the page after a hit with these sort values. */
  cursorAfter(sortValues: readonly SortValue[]): string;
}

interface CursorContent {
  a: readonly SortValue[];
  b: string;
  d: SortDirection;
}

function invalid(message: string, details: Record<string, unknown>): NexusError {
  return new InvalidReadModelQueryError(message, details);
}

/**
 * Plans one page of `query` over a collection whose declared fields are `declared`: equality
 * filters as `term`s on the typed slots, range filters as `range`s on the slot of their bounds'
 * type (numbers on the number slot, strings on the keyword slot, as SQLite compares them), tombstones left out, sort on (rank, number, text, id) in
 * `direction` (SQLite's order: NULLs, numbers, text; ties by id), `search_after` the cursor's
 * sort values, and one hit more than the page to tell whether a next page exists.
 *
 * Only declared fields can be filtered or sorted on (OpenSearch indexes nothing else); another
 * field is refused with `INVALID_READ_MODEL_QUERY` naming it, as are a bad name, value, limit,
 * direction or cursor.
 */
export function planOpenSearchQuery(query: ReadModelQuery, declared: ReadonlySet<string>): OpenSearchQueryPlan {
  const sortBy = query.sortBy ?? 'id';
  const direction = query.direction ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') throw invalid(`invalid sort direction '${String(direction)}'`, { direction });
  const limit = limitOf(query.limit);
  const filters: Record<string, unknown>[] = [];
  for (const [field, value] of Object.entries(query.where ?? {})) {
    checkQueryable(field, declared);
    filters.push(termOf(field, value));
  }
  for (const [field, range] of Object.entries(query.range ?? {})) {
    checkQueryable(field, declared);
    filters.push(rangeOf(field, range));
  }
  if (sortBy !== 'id') checkQueryable(sortBy, declared);
  const sort = sortBy === 'id' ? [{ id: { order: direction } }] : fieldSort(sortBy, direction);
  const body: Record<string, unknown> = {
    size: limit + 1,
    version: true,
    track_total_hits: false,
    _source: ['data'],
    query: { bool: { filter: filters, must_not: [{ term: { deleted: true } }] } },
    sort,
  };
  if (query.cursor !== undefined) body.search_after = parseCursor(query.cursor, sortBy, direction, sort.length).a;
  return {
    body,
    limit,
    cursorAfter: (sortValues) => encodeCursor({ a: sortValues, b: sortBy, d: direction } satisfies CursorContent),
  };
}

function checkQueryable(field: string, declared: ReadonlySet<string>): void {
  checkFieldName(field);
  if (!declared.has(field)) {
    throw invalid(`field '${field}' is not declared in this collection's indexedFields or compositeIndexes: OpenSearch filters and sorts on declared fields only`, { field });
  }
}

// Missing slots (a document written before its field was declared) sort as NULL, and every
// sort value stays concrete, so `search_after` never meets a null.
function fieldSort(field: string, order: SortDirection): Record<string, unknown>[] {
  return [
    { [`fields.${field}.t`]: { order, missing: VALUE_RANK.NULL } },
    { [`fields.${field}.n`]: { order, missing: 0 } },
    { [`fields.${field}.s`]: { order, missing: '' } },
    { id: { order } },
  ];
}

function termOf(field: string, value: unknown): Record<string, unknown> {
  const valid = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (!valid) throw invalid(`invalid value for field '${field}': use a string, number or boolean`, { field });
  // The same typing as the write: a number never equals a string, true equals 1 (as in SQLite).
  const indexed = indexedValue(value);
  return indexed.t === VALUE_RANK.TEXT ? { term: { [`fields.${field}.s`]: indexed.s } } : { term: { [`fields.${field}.n`]: indexed.n } };
}

function rangeOf(field: string, range: ReadModelRange): Record<string, unknown> {
  const bounds: Record<string, string | number> = {};
  let slot: 'n' | 's' | undefined;
  for (const operator of RANGE_OPERATORS) {
    const value = range[operator];
    if (value === undefined) continue;
    const valueSlot = typeof value === 'number' && Number.isFinite(value) ? 'n' : typeof value === 'string' ? 's' : undefined;
    if (valueSlot === undefined || (slot !== undefined && slot !== valueSlot)) {
      throw invalid(`invalid range on field '${field}': bounds must be finite numbers or strings, all of one type`, { field });
    }
    slot = valueSlot;
    bounds[operator] = value;
  }
  if (slot === undefined) throw invalid(`invalid range on field '${field}': give at least one of ${RANGE_OPERATORS.join(', ')}`, { field });
  // A slot holds only values of its type, so a number bound never matches text (and the reverse).
  return { range: { [`fields.${field}.${slot}`]: bounds } };
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw invalid(`invalid limit ${String(limit)}: use a positive integer`, { limit });
  return Math.min(limit, MAX_LIMIT);
}

function parseCursor(cursor: string, sortBy: string, direction: SortDirection, sortLength: number): CursorContent {
  const content = decodeCursor(cursor);
  if (isCursorContent(content) && content.b === sortBy && content.d === direction && content.a.length === sortLength) return content;
  throw invalid(`invalid cursor '${cursor}' for this query`, { cursor });
}


function isCursorContent(value: unknown): value is CursorContent {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const values = Array.isArray(c.a) && c.a.every((item) => typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item)));
  return values && typeof c.b === 'string' && (c.d === 'asc' || c.d === 'desc');
}
