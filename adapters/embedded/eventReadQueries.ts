import type { ReadStreamOptions, ReadTimeRangeOptions } from '../../core/events/EventStore';
import { EVENT_READ_LIMITS, invalidCursorError, isNonNegativeInteger, pageLimit, timeRangeBounds, versionBound } from '../../core/events/readOptions';
import { decodeCursor, encodeCursor } from '../../core/pagination/opaqueCursor';

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
  if (options.cursor === undefined) return { afterVersion: versionBound(options.afterVersion ?? 0, 'afterVersion'), limit };
  const cursor = decodeCursor(options.cursor) as Partial<StreamCursor> | undefined;
  if (cursor?.k !== 'stream' || cursor.a !== aggregateId || !isNonNegativeInteger(cursor.v)) {
    throw invalidCursorError(options.cursor);
  }
  return { afterVersion: cursor.v, limit };
}

/** The cursor of the stream page that ends at `version`. */
export function streamCursor(aggregateId: string, version: number): string {
  return encodeCursor({ k: 'stream', a: aggregateId, v: version } satisfies StreamCursor);
}

/** Validates a time-range read: parsable bounds, from <= to, and a cursor of the same range. */
export function rangeQuery(options: ReadTimeRangeOptions): RangeQuery {
  const { from, to } = timeRangeBounds(options.from, options.to);
  const limit = pageLimit(options.limit);
  const base = { from, to, limit, ...(options.aggregateId === undefined ? {} : { aggregateId: options.aggregateId }) };
  if (options.cursor === undefined) return { ...base, afterPosition: 0 };
  const cursor = decodeCursor(options.cursor) as Partial<RangeCursor> | undefined;
  const sameRange = cursor?.k === 'range' && cursor.f === from && cursor.t === to && cursor.a === (options.aggregateId ?? null);
  if (!sameRange || !isNonNegativeInteger(cursor.p)) throw invalidCursorError(options.cursor);
  return { ...base, afterPosition: cursor.p };
}

/** The cursor of the range page that ends at `position`. */
export function rangeCursor(range: RangeQuery, position: number): string {
  return encodeCursor({ k: 'range', f: range.from, t: range.to, a: range.aggregateId ?? null, p: position } satisfies RangeCursor);
}

/** The row limit of readAll: at least 0, at most 1000 (SQLite reads a negative LIMIT as none). */
export function allLimit(limit: number): number {
  const max = EVENT_READ_LIMITS.maxLimit;
  return Number.isFinite(limit) ? Math.min(Math.max(0, Math.floor(limit)), max) : max;
}
