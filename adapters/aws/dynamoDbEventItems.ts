import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { EncodedEvent } from '../../core/events/AppendEncoder';
import { EVENT_ATTRIBUTES as A } from './tables/eventsTable';

/** An item of the events table as the SDK reads and writes it. */
export type EventItem = Record<string, AttributeValue>;

/** DynamoDB's limits on one item and on one TransactWriteItems (items and total size). */
export const DYNAMODB_LIMITS = {
  maxTransactionItems: 100,
  maxItemBytes: 400 * 1024,
  maxTransactionBytes: 4 * 1024 * 1024,
} as const;

/** The item that stores one encoded event (see EVENTS_TABLE for the layout). */
export function eventItem({ envelope, record }: EncodedEvent, timeIndexShards: number): EventItem {
  return {
    [A.aggregateId]: { S: envelope.aggregateId },
    [A.version]: { N: String(envelope.aggregateVersion) },
    [A.eventId]: { S: envelope.eventId },
    [A.eventType]: { S: envelope.eventType },
    [A.occurredAt]: { S: envelope.occurredAt },
    [A.record]: { B: record },
    [A.timeBucket]: { S: timeBucket(dayOf(envelope.occurredAt), shardOf(envelope.aggregateId, timeIndexShards)) },
    [A.timeKey]: { S: timeKey(envelope.occurredAt, envelope.aggregateId, envelope.aggregateVersion) },
  };
}

/** The UTC day (`YYYY-MM-DD`) of an ISO-8601 instant as `Date#toISOString` writes it. */
export function dayOf(isoInstant: string): string {
  return isoInstant.slice(0, 10);
}

/** A TimestampIndex partition: one day's events of one shard. */
export function timeBucket(day: string, shard: number): string {
  return `${day}#${shard}`;
}

/**
 * The TimestampIndex sort key. occurredAt comes first and has a fixed width, so keys sort by
 * time and `timeKey < to` holds exactly for occurredAt < to; the aggregate id and the
 * zero-padded version break ties, so one aggregate's events sort in version order even when an
 * append stamps them all with the same instant (event ids are random below the millisecond and
 * would not).
 */
export function timeKey(occurredAt: string, aggregateId: string, version: number): string {
  return `${occurredAt}#${aggregateId}#${String(version).padStart(10, '0')}`;
}

/** The shard of an aggregate's events in the TimestampIndex: FNV-1a of its id, modulo `shards`. */
export function shardOf(aggregateId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < aggregateId.length; index += 1) {
    hash ^= aggregateId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** The stored envelope bytes of an item, without copying them. */
export function recordOf(item: EventItem): Buffer {
  const bytes = item[A.record]?.B;
  if (!bytes) throw new Error(`events table item ${item[A.aggregateId]?.S ?? '?'}@${item[A.version]?.N ?? '?'} has no ${A.record} attribute`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A DynamoDB Streams NEW_IMAGE of the events table as a change-feed record (key = aggregate id,
 * data = the envelope bytes), for the stream readers; undefined for an item that is not an event.
 */
export function eventStreamImage(image: Record<string, { S?: string; B?: Uint8Array }>): { key: string; data: Buffer } | undefined {
  const key = image[A.aggregateId]?.S;
  const bytes = image[A.record]?.B;
  return key === undefined || bytes === undefined ? undefined : { key, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * An item's size as DynamoDB bills and limits it, rounded up: attribute names plus values
 * (strings in UTF-8, binaries raw, numbers at most 21 bytes).
 */
export function itemSizeBytes(item: EventItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    else if (value.B !== undefined) size += value.B.byteLength;
    else if (value.N !== undefined) size += Math.min(21, value.N.length + 1);
  }
  return size;
}
