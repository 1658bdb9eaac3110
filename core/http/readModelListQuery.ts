import type { ReadModelDeclaration, ReadModelField } from '../readmodel/ReadModelDeclaration';
import { RANGE_OPERATORS } from '../readmodel/ReadModelStore';
import type { RangeOperator, ReadModelQuery, ReadModelRange, SortDirection } from '../readmodel/ReadModelStore';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import type { HttpErrorCode } from './HttpErrors';
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
/** `field[op]`: a range filter. */
const OPERATOR_FILTER = /^([A-Za-z][A-Za-z0-9_]*)\[([^\]]*)\]$/;
/** The field types that take range operators (ordered values). */
const RANGED_TYPES: ReadonlySet<ReadModelField['type']> = new Set(['number', 'integer', 'timestamp']);
/** Digits after the milliseconds of a timestamp that are not all zero. */
const SUB_MILLISECOND = /\.\d{3}\d*[1-9]\d*(?:Z|[+-])/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Turns the query string of `GET /api/queries/{resourceType}` into a read-model query, from the
 * read model's declaration alone: `<field>=<value>` for each filterable field (an equality, the
 * value checked against the field's type and `values`), `<field>[gt|gte|lt|lte]=<value>` for each
 * filterable or sortable number, integer or timestamp field (a range; timestamps compared as UTC
 * ISO-8601 with milliseconds, the form `Date#toISOString` writes), `sort` (a sortable field, `id`
 * or a sort alias; default: the declared default sort), `order` (asc | desc), `limit` (1..100,
 * default 20), `cursor` (opaque, from `nextCursor`; checked by the routes).
 *
 * Throws, naming the parameter: `UNKNOWN_QUERY_PARAMETER` (not a declared field),
 * `FIELD_NOT_FILTERABLE`, `UNSUPPORTED_FILTER_OPERATOR` (an unknown operator, or one on a field
 * type without order; details list the allowed operators), `INVALID_QUERY_PARAMETER` (a bad
 * value, sort, order or limit, a repeated parameter, or one that is not percent-encoded UTF-8).
 */
export function parseReadModelListQuery(url: URL, declaration: ReadModelDeclaration): ReadModelQuery {
  const params = queryParametersOf(url);
  const where: Record<string, string | number | boolean> = {};
  const range: Record<string, ReadModelRange> = {};
  for (const name of params.keys()) {
    if (params.getAll(name).length > 1) throw invalid(name, `query parameter "${name}" is given more than once`);
    if (PAGING_PARAMETERS.includes(name)) continue;
    const value = params.get(name) ?? '';
    const operator = OPERATOR_FILTER.exec(name);
    if (operator !== null) {
      const [, fieldName = '', op = ''] = operator;
      const field = rangedField(name, fieldName, op, declaration);
      range[fieldName] = { ...range[fieldName], [op]: rangeBound(name, value, field, op as RangeOperator) };
      continue;
    }
    const field = declaration.fields[name];
    if (field === undefined) throw unknownParameter(name, declaration);
    if (field.filterable !== true) throw notFilterable(name, name, declaration);
    where[name] = filterValue(name, value, field);
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
    ...(Object.keys(range).length === 0 ? {} : { range }),
    sortBy,
    direction,
    limit: limitOf(params.get('limit')),
    ...(cursor === null ? {} : { cursor: bounded('cursor', cursor, READ_MODEL_LIST_QUERY_DEFAULTS.maxCursorLength) }),
  };
}

/** The declared field of `name` (`<fieldName>[<op>]`) if it takes the operator; else the problem. */
function rangedField(name: string, fieldName: string, op: string, declaration: ReadModelDeclaration): ReadModelField {
  const field = declaration.fields[fieldName];
  if (field === undefined) throw unknownParameter(name, declaration);
  if (field.filterable !== true && field.sortable !== true) throw notFilterable(name, fieldName, declaration);
  const operators = RANGED_TYPES.has(field.type) ? RANGE_OPERATORS : [];
  if (!operators.some((allowed) => allowed === op)) {
    const allowed = operators.length === 0 ? `${fieldName} is a ${field.type} field and takes no operator` : `${fieldName} takes ${operators.join(', ')}`;
    const equality = field.filterable === true ? `, or an equality: ${fieldName}=<value>` : '';
    throw refused(HTTP_ERRORS.UNSUPPORTED_FILTER_OPERATOR, name, `filter operator "${op}" is not supported: ${allowed}${equality}`, { operators: operators.join(',') });
  }
  return field;
}

function rangeBound(name: string, value: string, field: ReadModelField, op: RangeOperator): string | number {
  const bound = filterValue(name, value, field);
  if (field.type !== 'timestamp' || typeof bound !== 'string') return bound as number;
  // Stored times are toISOString text (UTC, milliseconds), which compares in time order; a bound in
  // another zone or precision is brought to that form. Beyond milliseconds, ">=" and "<" round up.
  const ms = Date.parse(bound) + (SUB_MILLISECOND.test(bound) && (op === 'gte' || op === 'lt') ? 1 : 0);
  return new Date(ms).toISOString();
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
  return refused(HTTP_ERRORS.UNKNOWN_QUERY_PARAMETER, name, `unknown query parameter "${name}"; use ${[...filterableOf(declaration), ...PAGING_PARAMETERS].join(', ')}`);
}

function notFilterable(name: string, fieldName: string, declaration: ReadModelDeclaration): HttpRequestError {
  const filterable = filterableOf(declaration).join(', ') || 'none';
  return refused(HTTP_ERRORS.FIELD_NOT_FILTERABLE, name, `${fieldName} cannot be filtered on; filterable: ${filterable}`, { filterable });
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
  return refused(HTTP_ERRORS.INVALID_QUERY_PARAMETER, field, message);
}

function refused(code: HttpErrorCode, field: string, message: string, details: Record<string, unknown> = {}): HttpRequestError {
  return new HttpRequestError(code, message, { ...details, field });
}
