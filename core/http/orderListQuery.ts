import type { ReadModelQuery, SortDirection } from '../readmodel/ReadModelStore';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { queryParametersOf } from './queryParameters';

/** Statuses the order list can be filtered on. */
export const ORDER_STATUSES = ['PLACED', 'CONFIRMED', 'CANCELLED'] as const;

/** `sort` values of the order list -> the read-model field they sort on. */
const SORT_FIELDS: Readonly<Record<string, string>> = {
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  total: 'totalAmount',
  orderId: 'id',
};

const DIRECTIONS: readonly SortDirection[] = ['asc', 'desc'];
const PARAMETERS = new Set(['status', 'customerId', 'sort', 'order', 'limit', 'cursor']);
const MAX_LIMIT = 100;

/** Defaults of the order list query. */
export const ORDER_LIST_QUERY_DEFAULTS = {
  /** @defaultValue 'createdAt' */
  sort: 'createdAt',
  /** @defaultValue 'desc' (newest first) */
  order: 'desc' as SortDirection,
  /** @defaultValue 20 */
  limit: 20,
};

/**
 * Turns the query string of `GET /api/queries/orders` into a read-model query:
 * `status` (PLACED | CONFIRMED | CANCELLED), `customerId`, `sort` (createdAt | updatedAt | total |
 * orderId), `order` (asc | desc), `limit` (1..100), `cursor` (opaque, from `nextCursor`).
 * Throws `INVALID_QUERY_PARAMETER` naming the parameter for an unknown, repeated or invalid one,
 * or one that is not percent-encoded UTF-8.
 */
export function parseOrderListQuery(url: URL): ReadModelQuery {
  const params = queryParametersOf(url);
  for (const name of params.keys()) {
    if (!PARAMETERS.has(name)) throw invalid(name, `unknown query parameter "${name}"; use ${[...PARAMETERS].join(', ')}`);
    if (params.getAll(name).length > 1) throw invalid(name, `query parameter "${name}" is given more than once`);
  }
  const where: Record<string, string> = {};
  const status = params.get('status');
  if (status !== null) where.status = oneOf('status', status, ORDER_STATUSES);
  const customerId = params.get('customerId');
  if (customerId !== null) where.customerId = bounded('customerId', customerId, 128);
  const sort = oneOf('sort', params.get('sort') ?? ORDER_LIST_QUERY_DEFAULTS.sort, Object.keys(SORT_FIELDS));
  const direction = oneOf('order', params.get('order') ?? ORDER_LIST_QUERY_DEFAULTS.order, DIRECTIONS);
  const limit = limitOf(params.get('limit'));
  const cursor = params.get('cursor');
  return {
    where,
    sortBy: SORT_FIELDS[sort],
    direction,
    limit,
    ...(cursor === null ? {} : { cursor: bounded('cursor', cursor, 2048) }),
  };
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
  if (value === null) return ORDER_LIST_QUERY_DEFAULTS.limit;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw invalid('limit', `limit must be an integer between 1 and ${MAX_LIMIT}`);
  return limit;
}

function invalid(field: string, message: string): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, message, { field });
}
