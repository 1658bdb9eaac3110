import type { ReadModelDeclaration, ReadModelField } from '../readmodel/ReadModelDeclaration';
import type { ReadModelQuery, SortDirection } from '../readmodel/ReadModelStore';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { queryParametersOf } from './queryParameters';

/** Defaults and bounds of a read-model list query. */
export const READ_MODEL_LIST_QUERY_DEFAULTS = {
  /** @defaultValue 20 */
  limit: 20,
  /** @defaultValue 100 */
  maxLimit: 100,
  /** Longest string filter value. @defaultValue 128 */
  maxValueLength: 128,
  /** Longest cursor. @defaultValue 2048 */
  maxCursorLength: 2048,
};

const PAGING_PARAMETERS = ['sort', 'order', 'limit', 'cursor'];
const DIRECTIONS: readonly SortDirection[] = ['asc', 'desc'];
/** `field[op]`: a filter with an operator, which lists do not have (filters are equalities). */
const OPERATOR_FILTER = /^([A-Za-z][A-Za-z0-9_]*)\[([^\]]*)\]$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Turns the query string of `GET /api/queries/{resourceType}` into a read-model query, from the
 * read model's declaration alone: `<field>=<value>` for each filterable field (an equality, the
 * value checked against the field's type and `values`), `sort` (a sortable field, `id` or a sort
 * alias; default: the declared default sort), `order` (asc | desc), `limit` (1..100, default 20),
 * `cursor` (opaque, from `nextCursor`).
 *
 * Throws `INVALID_QUERY_PARAMETER` naming the parameter for an unknown, repeated or invalid one,
 * a field that is not filterable, a filter operator (`field[gt]=`), or one that is not
 * percent-encoded UTF-8.
 */
export function parseReadModelListQuery(url: URL, declaration: ReadModelDeclaration): ReadModelQuery {
  const params = queryParametersOf(url);
  const where: Record<string, string | number | boolean> = {};
  for (const name of params.keys()) {
    if (params.getAll(name).length > 1) throw invalid(name, `query parameter "${name}" is given more than once`);
    if (PAGING_PARAMETERS.includes(name)) continue;
    const field = declaration.fields[name];
    if (field === undefined) throw unknownParameter(name, declaration);
    if (field.filterable !== true) throw invalid(name, `${name} cannot be filtered on; filterable: ${filterableOf(declaration).join(', ') || 'none'}`);
    where[name] = filterValue(name, params.get(name) ?? '', field);
  }
  const defaultSort = declaration.defaultSort ?? { field: 'id', direction: 'asc' };
  const sortNames = sortNamesOf(declaration);
  const sort = params.get('sort');
  const sortBy = sort === null ? defaultSort.field : sortNames.get(sort);
  if (sortBy === undefined) throw invalid('sort', `sort must be one of ${[...sortNames.keys()].join(', ')}`);
  const direction = oneOf('order', params.get('order') ?? defaultSort.direction, DIRECTIONS);
  const cursor = params.get('cursor');
  return {
    where,
    sortBy,
    direction,
    limit: limitOf(params.get('limit')),
    ...(cursor === null ? {} : { cursor: bounded('cursor', cursor, READ_MODEL_LIST_QUERY_DEFAULTS.maxCursorLength) }),
  };
}

/** `sort` values -> the field they sort on: `id`, the sortable fields and the declared aliases. */
function sortNamesOf(declaration: ReadModelDeclaration): Map<string, string> {
  const names = new Map<string, string>([['id', 'id']]);
  for (const [name, field] of Object.entries(declaration.fields)) if (field.sortable === true) names.set(name, name);
  for (const [alias, field] of Object.entries(declaration.sortAliases ?? {})) names.set(alias, field);
  return names;
}

function filterableOf(declaration: ReadModelDeclaration): string[] {
  return Object.entries(declaration.fields)
    .filter(([, field]) => field.filterable === true)
    .map(([name]) => name);
}

function unknownParameter(name: string, declaration: ReadModelDeclaration): HttpRequestError {
  const operator = OPERATOR_FILTER.exec(name);
  if (operator !== null && declaration.fields[operator[1] ?? ''] !== undefined) {
    return invalid(name, `filter operator "${operator[2] ?? ''}" is not supported; a filter is an equality: ${operator[1] ?? ''}=<value>`);
  }
  return invalid(name, `unknown query parameter "${name}"; use ${[...filterableOf(declaration), ...PAGING_PARAMETERS].join(', ')}`);
}

function filterValue(name: string, value: string, field: ReadModelField): string | number | boolean {
  switch (field.type) {
    case 'number':
      if (NUMBER.test(value) && Number.isFinite(Number(value))) return Number(value);
      throw invalid(name, `${name} must be a number`);
    case 'integer':
      if (INTEGER.test(value)) return Number(value);
      throw invalid(name, `${name} must be an integer`);
    case 'boolean':
      if (value === 'true' || value === 'false') return value === 'true';
      throw invalid(name, `${name} must be true or false`);
    case 'timestamp':
      // Stored as ISO-8601 text: the filter matches the same text.
      if (TIMESTAMP.test(value) && Number.isFinite(Date.parse(value))) return value;
      throw invalid(name, `${name} must be an ISO-8601 time with a time zone, e.g. 2026-01-01T00:00:00.000Z`);
    case 'string':
      return field.values === undefined ? bounded(name, value, READ_MODEL_LIST_QUERY_DEFAULTS.maxValueLength) : oneOf(name, value, field.values);
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw invalid(name, `${name} must be one of ${allowed.join(', ')}`);
  return found;
}

function bounded(name: string, value: string, maxLength: number): string {
  if (value.length === 0 || value.length > maxLength) throw invalid(name, `${name} must be 1 to ${maxLength} characters long`);
  return value;
}

function limitOf(value: string | null): number {
  const { limit: defaultLimit, maxLimit } = READ_MODEL_LIST_QUERY_DEFAULTS;
  if (value === null) return defaultLimit;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= maxLimit)) throw invalid('limit', `limit must be an integer between 1 and ${maxLimit}`);
  return limit;
}

function invalid(field: string, message: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, message, { field });
}
