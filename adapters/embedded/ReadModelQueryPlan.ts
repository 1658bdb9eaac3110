import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';
import { RANGE_OPERATORS } from '../../core/readmodel/ReadModelStore';
import type { RangeOperator, ReadModelQuery, ReadModelRange, SortDirection } from '../../core/readmodel/ReadModelStore';
import { decodeCursor, encodeCursor } from '../../core/pagination/opaqueCursor';
import { columnOf, jsonFieldExpression } from './ReadModelTableLayout';
import type { ReadModelTableLayout } from './ReadModelTableLayout';

export { InvalidReadModelQueryError };

const DEFAULT_LIMIT = 20;
const COMPARISON: Record<RangeOperator, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
const MAX_LIMIT = 100;

export type SortValue = string | number | null;

/** The SQL and parameters of one page of a read model query. */
export interface ReadModelQueryPlan {
  sql: string;
  parameters: (string | number | null)[];
  limit: number;
  /** The cursor for the page after a row with this sort value and id. */
  cursorAfter(sortValue: SortValue, id: string): string;
}

interface CursorContent {
  s: SortValue;
  i: string;
  b: string;
  d: SortDirection;
}

/**
 * The SQL expression of a top-level field: its column when the layout has one, else the JSON
 * field (correct, but read from every document it looks at).
 */
export function fieldExpression(layout: ReadModelTableLayout, field: string): string {
  const column = columnOf(layout, field);
  return column === undefined ? jsonFieldExpression(field) : `"${column}"`;
}

/**
 * Plans one page of `query` over the table of `layout`: equality and range filters, order by (sort value, id) in
 * `direction`, keyset pagination after the cursor's (sort value, id), one extra row to tell
 * whether a next page exists.
 */
export function planReadModelQuery(query: ReadModelQuery, layout: ReadModelTableLayout): ReadModelQueryPlan {
  const sortBy = query.sortBy ?? 'id';
  const direction = query.direction ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') {
    throw new InvalidReadModelQueryError(`invalid sort direction '${String(direction)}'`, { direction });
  }
  const limit = limitOf(query.limit);
  const conditions: string[] = [];
  const parameters: (string | number | null)[] = [];
  for (const [field, value] of Object.entries(query.where ?? {})) {
    conditions.push(`${fieldExpression(layout, field)} = ?`);
    parameters.push(bindable(field, value));
  }
  for (const [field, range] of Object.entries(query.range ?? {})) {
    const bounds = rangeCondition(fieldExpression(layout, field), field, range);
    conditions.push(bounds.sql);
    parameters.push(...bounds.parameters);
  }
  const sortExpression = sortBy === 'id' ? 'id' : fieldExpression(layout, sortBy);
  if (query.cursor !== undefined) {
    const after = parseCursor(query.cursor, sortBy, direction);
    const keyset = keysetCondition(sortExpression, direction, after.s);
    conditions.push(keyset.sql);
    parameters.push(...keyset.parameters, after.i);
  }
  const order = direction === 'asc' ? 'ASC' : 'DESC';
  const orderBy = sortBy === 'id' ? `id ${order}` : `${sortExpression} ${order}, id ${order}`;
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')} ` : '';
  const sql = `SELECT id, version, data, ${sortExpression} AS sort_value FROM "${layout.table}" ${where}ORDER BY ${orderBy} LIMIT ?`;
  return {
    sql,
    parameters,
    limit,
    cursorAfter: (sortValue, id) => encodeCursor({ s: sortValue, i: id, b: sortBy, d: direction } satisfies CursorContent),
  };
}

// SQLite sorts NULL (a missing field) first ascending and last descending; the keyset
// condition must skip exactly the rows that sort before the cursor, NULLs included.
function keysetCondition(
  expression: string,
  direction: SortDirection,
  sortValue: SortValue,
): { sql: string; parameters: SortValue[] } {
  if (expression === 'id') return { sql: direction === 'asc' ? 'id > ?' : 'id < ?', parameters: [] };
  const cmp = direction === 'asc' ? '>' : '<';
  if (sortValue === null) {
    return direction === 'asc'
      ? { sql: `((${expression} IS NULL AND id > ?) OR ${expression} IS NOT NULL)`, parameters: [] }
      : { sql: `(${expression} IS NULL AND id < ?)`, parameters: [] };
  }
  const nulls = direction === 'desc' ? `${expression} IS NULL OR ` : '';
  // The caller appends the id parameter, so the (sort value, id) tie-break comes last.
  return {
    sql: `(${nulls}${expression} ${cmp} ? OR (${expression} = ? AND id ${cmp} ?))`,
    parameters: [sortValue, sortValue],
  };
}

/**
 * The bounds of `range` on `expression`, each comparison index-friendly. SQLite orders numbers
 * before all text, so a number bound alone would also match every text value (and a text bound
 * every number); an open side is closed at the type's edge instead: `< ''` (below all text) for
 * numbers, `>= ''` (the least text) for strings. A missing field (NULL) fails every comparison.
 */
function rangeCondition(expression: string, field: string, range: ReadModelRange): { sql: string; parameters: (string | number)[] } {
  const bounds: string[] = [];
  const parameters: (string | number)[] = [];
  let kind: 'number' | 'string' | undefined;
  for (const operator of RANGE_OPERATORS) {
    const value = range[operator];
    if (value === undefined) continue;
    const valueKind = typeof value === 'number' && Number.isFinite(value) ? 'number' : typeof value === 'string' ? 'string' : undefined;
    if (valueKind === undefined || (kind !== undefined && kind !== valueKind)) {
      throw new InvalidReadModelQueryError(`invalid range on field '${field}': bounds must be finite numbers or strings, all of one type`, { field });
    }
    kind = valueKind;
    bounds.push(`${expression} ${COMPARISON[operator]} ?`);
    parameters.push(value);
  }
  if (kind === undefined) throw new InvalidReadModelQueryError(`invalid range on field '${field}': give at least one of ${RANGE_OPERATORS.join(', ')}`, { field });
  if (kind === 'number' && range.lt === undefined && range.lte === undefined) bounds.push(`${expression} < ''`);
  if (kind === 'string' && range.gt === undefined && range.gte === undefined) bounds.push(`${expression} >= ''`);
  return { sql: bounds.join(' AND '), parameters };
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidReadModelQueryError(`invalid limit ${String(limit)}: use a positive integer`, { limit });
  }
  return Math.min(limit, MAX_LIMIT);
}

function bindable(field: string, value: unknown): string | number {
  // json_extract returns JSON true/false as 1/0, and columns hold them so.
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new InvalidReadModelQueryError(`invalid value for field '${field}': use a string, number or boolean`, { field });
}

function parseCursor(cursor: string, sortBy: string, direction: SortDirection): CursorContent {
  const content = decodeCursor(cursor);
  if (isCursorContent(content) && content.b === sortBy && content.d === direction) return content;
  throw new InvalidReadModelQueryError(`invalid cursor '${cursor}' for this query`, { cursor });
}

function isCursorContent(value: unknown): value is CursorContent {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const sortValueOk = c.s === null || typeof c.s === 'string' || typeof c.s === 'number';
  return sortValueOk && typeof c.i === 'string' && typeof c.b === 'string' && (c.d === 'asc' || c.d === 'desc');
}
