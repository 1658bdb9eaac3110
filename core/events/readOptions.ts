import { InvalidReadError } from './EventStoreErrors';

/** Page sizes of event reads, the same on every store. */
export const EVENT_READ_LIMITS = {
  /** Page size when a read names none. */
  defaultLimit: 100,
  /** Largest page; a larger `limit` is lowered to it. */
  maxLimit: 1000,
} as const;

/** The page size of a read: default 100, at most 1000; `INVALID_READ` unless a positive integer. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return EVENT_READ_LIMITS.defaultLimit;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidReadError(`invalid limit ${limit}: use a positive integer`, { limit });
  return Math.min(limit, EVENT_READ_LIMITS.maxLimit);
}

/**
 * The bounds of a time-range read as `Date#toISOString()` text (what stores keep in occurredAt,
 * so normalised bounds compare as text); `INVALID_READ` naming the bound when it is not a time
 * or when from is after to.
 */
export function timeRangeBounds(from: string, to: string): { from: string; to: string } {
  const lower = instant(from, 'from');
  const upper = instant(to, 'to');
  if (lower > upper) throw new InvalidReadError(`invalid time range: from ${from} is after to ${to}`, { from, to });
  return { from: lower, to: upper };
}

/** A version bound of a read: `INVALID_READ` unless an integer >= 0. */
export function versionBound(value: number, name: string): number {
  if (!isNonNegativeInteger(value)) throw new InvalidReadError(`invalid ${name} ${value}: use an integer >= 0`, { [name]: value });
  return value;
}

/** The refusal of a cursor this store did not issue for this read. */
export function invalidCursorError(cursor: string): InvalidReadError {
  return new InvalidReadError(`invalid cursor '${cursor}' for this read`, { cursor });
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function instant(value: string, name: 'from' | 'to'): string {
  const millis = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) throw new InvalidReadError(`invalid time range: ${name} '${String(value)}' is not an ISO-8601 time`, { [name]: value });
  return new Date(millis).toISOString();
}
