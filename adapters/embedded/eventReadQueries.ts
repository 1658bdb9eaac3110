import type { ReadStreamOptions, ReadTimeRangeOptions } from '../../core/events/EventStore';
import { InvalidReadError } from '../../core/events/EventStoreErrors';
import { decodeCursor, encodeCursor } from './opaqueCursor';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** A validated time-range read: normalised ISO bounds and where the page starts. */
export interface RangeQuery {
  from: string;
  to: string;
  aggregateId?: string;
  afterPosition: number;
  limit: number;
}

interface StreamCursor {
  k: 'stream';
  a: string;
  v: number;
}

interface RangeCursor {
  k: 'range';
  f: string;
  t: string;
  a: string | null;
  p: number;
}

/** Validates a stream read; a cursor wins over `afterVersion`. */
export function streamQuery(aggregateId: string, options: ReadStreamOptions): { afterVersion: number; limit: number } {
  const limit = pageLimit(options.limit);
  if (options.cursor === undefined) return { afterVersion: nonNegative(options.afterVersion ?? 0, 'afterVersion'), limit };
  const cursor = decodeCursor(options.cursor) as Partial<StreamCursor> | undefined;
  if (cursor?.k !== 'stream' || cursor.a !== aggregateId || !isNonNegativeInteger(cursor.v)) {
    throw invalidCursor(options.cursor);
  }
  return { afterVersion: cursor.v, limit };
}

/** The cursor of the stream page that ends at `version`. */
export function streamCursor(aggregateId: string, version: number): string {
  return encodeCursor({ k: 'stream', a: aggregateId, v: version } satisfies StreamCursor);
}

/** Validates a time-range read: parsable bounds, from <= to, and a cursor of the same range. */
export function rangeQuery(options: ReadTimeRangeOptions): RangeQuery {
  const from = instant(options.from, 'from');
  const to = instant(options.to, 'to');
  if (from > to) {
    throw new InvalidReadError(`invalid time range: from ${options.from} is after to ${options.to}`, { from: options.from, to: options.to });
  }
  const limit = pageLimit(options.limit);
  const base = { from, to, limit, ...(options.aggregateId === undefined ? {} : { aggregateId: options.aggregateId }) };
  if (options.cursor === undefined) return { ...base, afterPosition: 0 };
  const cursor = decodeCursor(options.cursor) as Partial<RangeCursor> | undefined;
  const sameRange = cursor?.k === 'range' && cursor.f === from && cursor.t === to && cursor.a === (options.aggregateId ?? null);
  if (!sameRange || !isNonNegativeInteger(cursor.p)) throw invalidCursor(options.cursor);
  return { ...base, afterPosition: cursor.p };
}

/** The cursor of the range page that ends at `position`. */
export function rangeCursor(range: RangeQuery, position: number): string {
  return encodeCursor({ k: 'range', f: range.from, t: range.to, a: range.aggregateId ?? null, p: position } satisfies RangeCursor);
}

/** The row limit of readAll: at least 0, at most 1000 (SQLite reads a negative LIMIT as none). */
export function allLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(Math.max(0, Math.floor(limit)), MAX_LIMIT) : MAX_LIMIT;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidReadError(`invalid limit ${limit}: use a positive integer`, { limit });
  return Math.min(limit, MAX_LIMIT);
}

// Stored occurredAt values are Date#toISOString() output, so normalised bounds compare as text.
function instant(value: string, name: 'from' | 'to'): string {
  const millis = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) throw new InvalidReadError(`invalid time range: ${name} '${String(value)}' is not an ISO-8601 time`, { [name]: value });
  return new Date(millis).toISOString();
}

function nonNegative(value: number, name: string): number {
  if (!isNonNegativeInteger(value)) throw new InvalidReadError(`invalid ${name} ${value}: use an integer >= 0`, { [name]: value });
  return value;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function invalidCursor(cursor: string): InvalidReadError {
  return new InvalidReadError(`invalid cursor '${cursor}' for this read`, { cursor });
}
