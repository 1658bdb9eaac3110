import { invalidCursorError, isNonNegativeInteger } from '../../core/events/readOptions';
import { decodeCursor, encodeCursor } from '../../core/pagination/opaqueCursor';

/**
 * Opaque cursors of the DynamoDB event store's reads: JSON in base64url, naming the read they
 * belong to (a cursor of another aggregate or range is refused) and the last item returned, so
 * the next page starts right after it (the Query's ExclusiveStartKey, or the index's sort key).
 */
interface StreamCursor {
  k: 'stream';
  a: string;
  v: number;
}

interface IndexRangeCursor {
  k: 'time';
  f: string;
  t: string;
  /** The TimestampIndex sort key of the last event returned. */
  after: string;
}

interface AggregateRangeCursor {
  k: 'time-of';
  f: string;
  t: string;
  a: string;
  v: number;
}

/** The cursor of a stream page ending at `version`. */
export function streamCursor(aggregateId: string, version: number): string {
  return encodeCursor({ k: 'stream', a: aggregateId, v: version } satisfies StreamCursor);
}

/** The version after which a stream page starts; `INVALID_READ` for a cursor of another read. */
export function parseStreamCursor(cursor: string, aggregateId: string): number {
  const value = decodeCursor(cursor) as Partial<StreamCursor> | undefined;
  if (value?.k !== 'stream' || value.a !== aggregateId || !isNonNegativeInteger(value.v)) throw invalidCursorError(cursor);
  return value.v;
}

/** The cursor of a time-range page (all aggregates) ending at the index key `after`. */
export function indexRangeCursor(from: string, to: string, after: string): string {
  return encodeCursor({ k: 'time', f: from, t: to, after } satisfies IndexRangeCursor);
}

/** The index key after which a time-range page starts. */
export function parseIndexRangeCursor(cursor: string, from: string, to: string): string {
  const value = decodeCursor(cursor) as Partial<IndexRangeCursor> | undefined;
  if (value?.k !== 'time' || value.f !== from || value.t !== to || typeof value.after !== 'string' || value.after < from) throw invalidCursorError(cursor);
  return value.after;
}

/** The cursor of one aggregate's time-range page ending at `version`. */
export function aggregateRangeCursor(from: string, to: string, aggregateId: string, version: number): string {
  return encodeCursor({ k: 'time-of', f: from, t: to, a: aggregateId, v: version } satisfies AggregateRangeCursor);
}

/** The version after which one aggregate's time-range page starts. */
export function parseAggregateRangeCursor(cursor: string, from: string, to: string, aggregateId: string): number {
  const value = decodeCursor(cursor) as Partial<AggregateRangeCursor> | undefined;
  if (value?.k !== 'time-of' || value.f !== from || value.t !== to || value.a !== aggregateId || !isNonNegativeInteger(value.v)) throw invalidCursorError(cursor);
  return value.v;
}
