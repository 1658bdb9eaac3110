import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HeadAwareRecordSource } from '../../core/pipeline/RunnerOptions';
import type { SourceRecord } from '../../core/streams/RecordSource';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { recordOf } from './dynamoDbEventItems';
import type { EventItem } from './dynamoDbEventItems';
import { indexKey, TimestampIndexReader } from './dynamoDbTimeRangeReader';
import { DEFAULT_TIME_INDEX_SHARDS, EVENT_ATTRIBUTES as A } from './tables/eventsTable';

/** Options of {@link DynamoDbEventTableSource}. */
export interface DynamoDbEventTableSourceOptions {
  /** A client built with `maxAttempts: 1`. */
  client: DynamoDBClient;
  /** The events table (`EVENTS_TABLE`). */
  tableName: string;
  /** The source name the replayed pipeline declares (`core`, `events`). */
  name: string;
  /** The first instant the replay reads (ISO 8601): the day of the stage's first event, or earlier. */
  since: string;
  /** Shards per day of the TimestampIndex, at least what the writers used. @defaultValue DEFAULT_TIME_INDEX_SHARDS */
  timeIndexShards?: number;
  /** Which event types the pipeline's source carries (the routing table's answer for a stream). @defaultValue every type */
  accepts?: (eventType: string) => boolean;
  /**
   * Reads leave out events younger than this (by the clock; the bound moves in steps of it), so
   * that a replay can catch up while writes go on: "caught up" then means within two horizons
   * of the head, and the rebuild's switch replays the rest. @defaultValue undefined (everything, up to a day past the clock)
   */
  horizonMs?: number;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
  /** @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/** How far past the clock a read looks: writers' clocks may be ahead of this one. */
const FUTURE_MS = 86_400_000;
/** Items one read takes to finish the millisecond it stopped in. */
const SAME_MS_PAGE = 1000;

/**
 * The events table as a replayable, ordered log, for rebuilding a projection on AWS (Kinesis
 * and DynamoDB Streams keep only recent records): every event from `since` on, read through the
 * TimestampIndex in (occurredAt, aggregate id, version) order, so each aggregate's events come
 * in version order. A record's position is its `occurredAt` in epoch milliseconds; a read never
 * stops inside a millisecond (it finishes it), so "after position p" means "from p + 1 ms".
 *
 * Guarantees and limits: index reads are eventually consistent, and occurredAt is the writer's
 * clock: an event becomes readable here up to (index propagation + clock skew) after a reader
 * has passed its millisecond. The rebuild's switch re-reads a time window to cover that
 * (see `catchUpByTimeWindow`). The head is the clock (`headPosition`), so lag is in ms.
 *
 * Errors: DynamoDB failures after retries (`AWS_RETRIES_EXHAUSTED`) or the SDK's error.
 */
export class DynamoDbEventTableSource implements HeadAwareRecordSource {
  readonly name: string;
  private readonly reader: TimestampIndexReader;
  private readonly sinceMs: number;
  private readonly accepts: (eventType: string) => boolean;
  private readonly clock: () => Date;
  private readonly horizonMs: number | undefined;

  constructor(options: DynamoDbEventTableSourceOptions) {
    this.name = options.name;
    this.sinceMs = Date.parse(options.since);
    if (Number.isNaN(this.sinceMs)) throw new RangeError(`since must be an ISO 8601 instant; got ${options.since}`);
    this.accepts = options.accepts ?? ((): boolean => true);
    this.clock = options.clock ?? ((): Date => new Date());
    this.horizonMs = options.horizonMs;
    const retry = options.retry ?? {};
    this.reader = new TimestampIndexReader({
      client: options.client,
      tableName: options.tableName,
      timeIndexShards: options.timeIndexShards ?? DEFAULT_TIME_INDEX_SHARDS,
      call: (operation, send) => callWithRetry(`events table ${operation}`, send, retry),
    });
  }

  async read(afterPosition: number, limit: number): Promise<SourceRecord[]> {
    let from = new Date(Math.max(afterPosition + 1, this.sinceMs)).toISOString();
    const to = new Date(this.upperBoundMs()).toISOString();
    let afterKey: string | undefined;
    for (;;) {
      const page = await this.reader.read(from, to, afterKey, limit);
      const last = page.items.at(-1);
      if (last === undefined) {
        if (page.resumeAfter === undefined) return [];
        from = page.resumeAfter;
        afterKey = undefined;
        continue;
      }
      const items = [...page.items, ...(await this.restOfMillisecond(last))];
      const records = items.filter((item) => this.accepts(item[A.eventType]?.S ?? '')).map(toSourceRecord);
      if (records.length > 0) return records;
      // A page of types this source does not carry: go on after it.
      const end = items.at(-1) ?? last;
      from = end[A.occurredAt]?.S ?? from;
      afterKey = indexKey(end);
    }
  }

  onAppend(): () => void {
    // Nothing tells this process of appends: the runner polls.
    return () => undefined;
  }

  async headPosition(): Promise<number> {
    return Math.min(this.clock().getTime(), this.upperBoundMs());
  }

  /**
   * Where reads stop (exclusive). With a horizon it moves in steps of the horizon, so that a
   * reader keeping up meets an empty read (caught up) even while writes go on: a bound moving
   * with every read would always let a few more events in.
   */
  private upperBoundMs(): number {
    const now = this.clock().getTime();
    if (this.horizonMs === undefined) return now + FUTURE_MS;
    return Math.floor((now - this.horizonMs) / this.horizonMs) * this.horizonMs;
  }

  /** The items after `last` in its millisecond, so the next read can start at the next one. */
  private async restOfMillisecond(last: EventItem): Promise<EventItem[]> {
    const ms = positionOf(last);
    const from = new Date(ms).toISOString();
    const to = new Date(ms + 1).toISOString();
    const rest: EventItem[] = [];
    let afterKey = indexKey(last);
    for (;;) {
      const page = await this.reader.read(from, to, afterKey, SAME_MS_PAGE);
      rest.push(...page.items);
      const end = page.items.at(-1);
      if (end === undefined || page.items.length < SAME_MS_PAGE) return rest;
      afterKey = indexKey(end);
    }
  }
}

function positionOf(item: EventItem): number {
  return Date.parse(item[A.occurredAt]?.S ?? '');
}

function toSourceRecord(item: EventItem): SourceRecord {
  return { position: positionOf(item), key: item[A.aggregateId]?.S ?? '', record: recordOf(item) };
}
