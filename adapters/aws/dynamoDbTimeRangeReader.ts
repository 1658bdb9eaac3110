import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dayOf, timeBucket } from './dynamoDbEventItems';
import type { EventItem } from './dynamoDbEventItems';
import { EVENT_ATTRIBUTES as A, TIMESTAMP_INDEX } from './tables/eventsTable';

/** What {@link TimestampIndexReader} needs. */
export interface TimestampIndexReaderDependencies {
  client: DynamoDBClient;
  tableName: string;
  /** Shards per day bucket; must be at least what the writers used. */
  timeIndexShards: number;
  /** Runs one DynamoDB call with the store's retry and error mapping. */
  call<T>(operation: string, send: () => Promise<T>): Promise<T>;
}

const DAY_MS = 86_400_000;

/**
 * Day buckets one read visits at most. A sparse range (years with no events) would otherwise
 * cost a query per shard per day in one call; instead the page ends early, possibly empty, with
 * a cursor at the next day, as DESIGN's "scanned so much, then a continuation token".
 */
export const MAX_DAYS_PER_READ = 31;

/** What one read found, and where the next one resumes when it stopped at the day bound. */
export interface IndexRead {
  items: EventItem[];
  /** Set when the read stopped at {@link MAX_DAYS_PER_READ} with days left: the next read starts after it. */
  resumeAfter?: string;
}

/**
 * Reads [from, to) from the TimestampIndex in sort-key order (time, then aggregate id, then
 * version), day bucket by day bucket: for each day it queries every shard with a key range
 * (`timeKey BETWEEN lower AND to`, never a Scan) in parallel and merges them. It stops as soon
 * as it has `want` items, so a page costs the days it spans plus one query per shard.
 *
 * Index reads are eventually consistent on DynamoDB (a GSI cannot be read consistently): an
 * event appended a moment ago may be missing from a range read that a stream read would show.
 */
export class TimestampIndexReader {
  constructor(private readonly dependencies: TimestampIndexReaderDependencies) {}

  /** Up to `want` items with from <= occurredAt < to whose index key is after `afterKey`. */
  async read(from: string, to: string, afterKey: string | undefined, want: number): Promise<IndexRead> {
    if (from >= to) return { items: [] };
    const lower = afterKey ?? from;
    const lastDay = dayOf(new Date(Date.parse(to) - 1).toISOString());
    const collected: EventItem[] = [];
    let day = dayOf(lower);
    for (let visited = 0; day <= lastDay && collected.length < want; day = nextDay(day), visited += 1) {
      if (visited === MAX_DAYS_PER_READ) {
        // Every key of `day` is `<day>T...#...`, so all sort after the bare midnight instant.
        return { items: collected, resumeAfter: `${day}T00:00:00.000Z` };
      }
      const need = want - collected.length;
      const shards = Array.from({ length: this.dependencies.timeIndexShards }, (_unused, shard) => this.queryBucket(timeBucket(day, shard), lower, to, afterKey, need));
      const merged = (await Promise.all(shards)).flat().sort(byIndexKey);
      collected.push(...merged.slice(0, need));
    }
    return { items: collected };
  }

  /** Up to `need` items of one bucket in key order, after `afterKey` (excluded). */
  private async queryBucket(bucket: string, lower: string, to: string, afterKey: string | undefined, need: number): Promise<EventItem[]> {
    const found: EventItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.dependencies.call('readByTimeRange', () =>
        this.dependencies.client.send(
          new QueryCommand({
            TableName: this.dependencies.tableName,
            IndexName: TIMESTAMP_INDEX,
            // BETWEEN is inclusive: no key equals `to` (keys are `<occurredAt>#...`), and the
            // key equal to `afterKey` (the previous page's last event) is dropped below.
            KeyConditionExpression: '#bucket = :bucket AND #key BETWEEN :lower AND :to',
            ExpressionAttributeNames: { '#bucket': A.timeBucket, '#key': A.timeKey },
            ExpressionAttributeValues: { ':bucket': { S: bucket }, ':lower': { S: lower }, ':to': { S: to } },
            Limit: need + (afterKey === undefined ? 0 : 1),
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of output.Items ?? []) if (afterKey === undefined || compareKeys(indexKey(item), afterKey) > 0) found.push(item);
      startKey = output.LastEvaluatedKey;
    } while (startKey && found.length < need);
    return found.slice(0, need);
  }
}

/** The TimestampIndex sort key of an item. */
export function indexKey(item: EventItem): string {
  return item[A.timeKey]?.S ?? '';
}

function byIndexKey(left: EventItem, right: EventItem): number {
  return compareKeys(indexKey(left), indexKey(right));
}

// DynamoDB orders string keys by their UTF-8 bytes; JavaScript's < compares UTF-16 code units,
// which differs for characters beyond the BMP. Merge in DynamoDB's order, or pages would skip.
function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
}
