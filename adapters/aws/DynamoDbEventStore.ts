import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AppendEncoder } from '../../core/events/AppendEncoder';
import type { EncodedEvent } from '../../core/events/AppendEncoder';
import type { AppendContext, AppendOptions, AppendOutcome, AppendResult, EventStore, NewEvent, Page, ReadStreamOptions, ReadTimeRangeOptions, StoredEvent } from '../../core/events/EventStore';
import { AppendTooLargeError, ConcurrencyConflictError, EventStoreUnavailableError } from '../../core/events/EventStoreErrors';
import { pageLimit, timeRangeBounds, versionBound } from '../../core/events/readOptions';
import { hasErrorCode } from '../../core/errors/NexusError';
import { IdempotencyClaimLostError } from '../../core/idempotency/IdempotencyErrors';
import { silentLogger } from '../../core/logging/Logger';
import type { Logger } from '../../core/logging/Logger';
import type { EventCodec } from '../../core/schema/EventCodec';
import { AWS_RETRIES_EXHAUSTED, callWithRetry } from './awsCallRetry';
import type { AwsRetriesExhaustedError, AwsRetryOptions } from './awsCallRetry';
import { aggregateRangeCursor, indexRangeCursor, parseAggregateRangeCursor, parseIndexRangeCursor, parseStreamCursor, streamCursor } from './dynamoDbEventCursors';
import { DYNAMODB_LIMITS, eventItem, itemSizeBytes, recordOf } from './dynamoDbEventItems';
import type { EventItem } from './dynamoDbEventItems';
import { appendOverheadItems, appendTransaction, cancellationVerdict, RetryableCancellation } from './dynamoDbEventTransaction';
import type { AppendTransaction } from './dynamoDbEventTransaction';
import { indexKey, TimestampIndexReader } from './dynamoDbTimeRangeReader';
import { idempotencyCompletionItem } from './dynamoDbIdempotencyItems';
import { DEFAULT_TIME_INDEX_SHARDS, EVENT_ATTRIBUTES as A } from './tables/eventsTable';

/** Options of {@link DynamoDbEventStore}. */
export interface DynamoDbEventStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `EVENTS_TABLE`. */
  tableName: string;
  /** The table of `DynamoDbIdempotencyStore`, where idempotent appends complete their claim. Required for `AppendOptions.idempotency`. */
  idempotencyTableName?: string;
  /** Shards per day of the TimestampIndex (see `DEFAULT_TIME_INDEX_SHARDS`). @defaultValue 16 */
  timeIndexShards?: number;
  /** Source of `occurredAt`. @defaultValue () => new Date() */
  clock?: () => Date;
  /** Source of event ids. @defaultValue crypto.randomUUID */
  newId?: () => string;
  /** Receives refused events and retried calls. @defaultValue silentLogger */
  logger?: Logger;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS (5 attempts, full jitter) */
  retry?: AwsRetryOptions;
}

const DEFAULTS = {
  timeIndexShards: DEFAULT_TIME_INDEX_SHARDS,
  clock: (): Date => new Date(),
  newId: (): string => randomUUID(),
  logger: silentLogger as Logger,
  retry: {} as AwsRetryOptions,
};

/**
 * The event store on DynamoDB (`EVENTS_TABLE`): one item per event keyed (aggregateId, version),
 * the envelope record stored byte for byte as the SQLite store keeps it, a TimestampIndex for
 * time-range reads, and DynamoDB Streams (NEW_IMAGE) as the change feed. It is an `EventStore`
 * but not an `EventLog`: DynamoDB has no global, gap-free order (see core/events/EventLog.ts).
 *
 * Guarantees: every event is validated and encoded (core's `AppendEncoder`, the same as SQLite)
 * before anything is sent; an append is one TransactWriteItems (the events, a check of the
 * previous version, the idempotency completion), so it is atomic and a stale or ahead
 * expectedVersion fails with `CONCURRENCY_CONFLICT` carrying the version read after the
 * failure. It is never split: more than 100 transaction items (or an item over 400 KB, or
 * 4 MB in all) is refused with `EVENT_APPEND_TOO_LARGE` before anything is written. Stream
 * reads and `currentVersion` are strongly consistent; time-range reads use the index and are
 * eventually consistent.
 *
 * Retries: throttling, 5xx, socket errors and transaction cancellations whose reasons are all
 * transient (TransactionConflict, ThrottlingError, ...) are retried with `callWithRetry`
 * (exponential backoff, full jitter, 5 attempts), then `EVENT_STORE_UNAVAILABLE` (503 with
 * Retry-After) with the SDK error as `cause`. A retried append carries the same
 * ClientRequestToken, and a conflict after a retry checks whether the conflicting events are
 * its own (the first attempt was written but its answer lost) before it reports a conflict.
 *
 * Errors: `UNREGISTERED_EVENT` / `INVALID_EVENT_PAYLOAD` (logged, rethrown);
 * `CONCURRENCY_CONFLICT`; `EVENT_APPEND_TOO_LARGE`; `IDEMPOTENCY_CLAIM_LOST`; `INVALID_READ`;
 * `EVENT_STORE_UNAVAILABLE`.
 *
 * @example
 * const store = new DynamoDbEventStore(codec, { client, tableName: 'nexus-prod-events', idempotencyTableName: 'nexus-prod-idempotency' });
 * await store.append('order-1', 0, [{ eventType: 'OrderPlaced', payload }], { aggregateType: 'Order', correlationId });
 */
export class DynamoDbEventStore implements EventStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly settings: typeof DEFAULTS & { idempotencyTableName?: string };
  private readonly encoder: AppendEncoder;
  private readonly timeIndex: TimestampIndexReader;

  constructor(
    private readonly codec: EventCodec,
    options: DynamoDbEventStoreOptions,
  ) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.settings = {
      timeIndexShards: options.timeIndexShards ?? DEFAULTS.timeIndexShards,
      clock: options.clock ?? DEFAULTS.clock,
      newId: options.newId ?? DEFAULTS.newId,
      logger: options.logger ?? DEFAULTS.logger,
      retry: options.retry ?? DEFAULTS.retry,
      ...(options.idempotencyTableName === undefined ? {} : { idempotencyTableName: options.idempotencyTableName }),
    };
    const shards = this.settings.timeIndexShards;
    if (!(Number.isInteger(shards) && shards >= 1)) throw new RangeError(`timeIndexShards must be a positive integer; got ${shards}`);
    this.encoder = new AppendEncoder(codec, this.settings);
    this.timeIndex = new TimestampIndexReader({ client: this.client, tableName: this.tableName, timeIndexShards: shards, call: (operation, send) => this.call(operation, send) });
  }

  async append(aggregateId: string, expectedVersion: number, events: NewEvent[], context: AppendContext, options: AppendOptions = {}): Promise<AppendResult> {
    this.refuseOversized(aggregateId, events.length, appendOverheadItems(expectedVersion, events.length, options.idempotency !== undefined));
    const encoded = this.encoder.encodeWarm(aggregateId, expectedVersion, events, context) ?? (await this.encoder.encode(aggregateId, expectedVersion, events, context));
    const items = encoded.map((event) => eventItem(event, this.settings.timeIndexShards));
    this.refuseOverweight(aggregateId, items);
    const outcome: AppendOutcome = { aggregateId, version: expectedVersion + items.length, eventIds: encoded.map((event) => event.envelope.eventId) };
    const transaction = appendTransaction({ tableName: this.tableName, aggregateId, expectedVersion, events: items, completion: this.completionItem(options, outcome) });
    const verdict = await this.transact(transaction);
    if (verdict.kind === 'written') return outcome;
    if (verdict.kind === 'claim-lost' && options.idempotency) throw new IdempotencyClaimLostError(options.idempotency.claim);
    if (verdict.attempts > 1 && (await this.ownEventsStored(encoded))) return outcome;
    throw new ConcurrencyConflictError(aggregateId, expectedVersion, await this.currentVersion(aggregateId), verdict.cause);
  }

  async readStream(aggregateId: string, options: ReadStreamOptions = {}): Promise<Page<StoredEvent>> {
    const limit = pageLimit(options.limit);
    const after = options.cursor === undefined ? versionBound(options.afterVersion ?? 0, 'afterVersion') : parseStreamCursor(options.cursor, aggregateId);
    const items = await this.queryAggregate('readStream', aggregateId, after, limit + 1);
    return this.page(items, limit, (last) => streamCursor(aggregateId, versionOf(last)));
  }

  async readByTimeRange(options: ReadTimeRangeOptions): Promise<Page<StoredEvent>> {
    const { from, to } = timeRangeBounds(options.from, options.to);
    const limit = pageLimit(options.limit);
    const { aggregateId, cursor } = options;
    if (aggregateId !== undefined) {
      // One aggregate: its own partition in version order, filtered by time (strongly consistent).
      const after = cursor === undefined ? 0 : parseAggregateRangeCursor(cursor, from, to, aggregateId);
      const items = await this.queryAggregate('readByTimeRange', aggregateId, after, limit + 1, { from, to });
      return this.page(items, limit, (last) => aggregateRangeCursor(from, to, aggregateId, versionOf(last)));
    }
    const afterKey = cursor === undefined ? undefined : parseIndexRangeCursor(cursor, from, to);
    const { items, resumeAfter } = await this.timeIndex.read(from, to, afterKey, limit + 1);
    const page = await this.page(items, limit, (last) => indexRangeCursor(from, to, indexKey(last)));
    // A read that stopped at its day bound ends the page early, possibly empty, with a cursor.
    return resumeAfter === undefined || page.nextCursor !== undefined ? page : { ...page, nextCursor: indexRangeCursor(from, to, resumeAfter) };
  }

  async currentVersion(aggregateId: string): Promise<number> {
    const output = await this.call('currentVersion', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#id = :id',
          ExpressionAttributeNames: { '#id': A.aggregateId, '#version': A.version },
          ExpressionAttributeValues: { ':id': { S: aggregateId } },
          ProjectionExpression: '#version',
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const last = output.Items?.[0];
    return last ? versionOf(last) : 0;
  }

  /** Refuses, before encoding, an append with more TransactItems than DynamoDB takes at once. */
  private refuseOversized(aggregateId: string, events: number, overhead: number): void {
    const items = events + overhead;
    const maxItems = DYNAMODB_LIMITS.maxTransactionItems;
    if (items <= maxItems) return;
    const reason = `DynamoDB writes at most ${maxItems} items in one transaction and this append needs ${items} (${events} events + ${overhead} for the version check and idempotency completion)`;
    throw new AppendTooLargeError({ aggregateId, events, items, maxItems, reason });
  }

  private refuseOverweight(aggregateId: string, items: readonly EventItem[]): void {
    const sizes = items.map(itemSizeBytes);
    const largest = Math.max(0, ...sizes);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    let reason: string | undefined;
    if (largest > DYNAMODB_LIMITS.maxItemBytes) reason = `an event item of ${largest} bytes exceeds DynamoDB's ${DYNAMODB_LIMITS.maxItemBytes}-byte item limit`;
    else if (total > DYNAMODB_LIMITS.maxTransactionBytes) reason = `its items total ${total} bytes, over DynamoDB's ${DYNAMODB_LIMITS.maxTransactionBytes}-byte transaction limit`;
    if (reason) throw new AppendTooLargeError({ aggregateId, events: items.length, items: items.length, maxItems: DYNAMODB_LIMITS.maxTransactionItems, reason });
  }

  private completionItem(options: AppendOptions, outcome: AppendOutcome): AppendTransactionCompletion {
    if (!options.idempotency) return undefined;
    const table = this.settings.idempotencyTableName;
    if (table === undefined) throw new TypeError('DynamoDbEventStore: an append with an idempotency completion needs options.idempotencyTableName');
    return idempotencyCompletionItem(table, options.idempotency, outcome);
  }

  /** Sends the transaction with retries; a cancellation by a failed condition is a verdict, not an error. */
  private async transact(transaction: AppendTransaction): Promise<TransactVerdict> {
    // One token for every attempt: DynamoDB answers a retry of a transaction it already
    // committed (within 10 minutes) with success instead of a failed condition.
    const token = randomUUID();
    let attempts = 0;
    return this.call('append', async (): Promise<TransactVerdict> => {
      attempts += 1;
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: transaction.items, ClientRequestToken: token }));
        return { kind: 'written' };
      } catch (error) {
        const verdict = cancellationVerdict(error, transaction);
        if (verdict?.kind === 'conflict' || verdict?.kind === 'claim-lost') return { kind: verdict.kind, attempts, cause: error };
        if (verdict?.kind === 'transient') throw new RetryableCancellation(error);
        throw error;
      }
    });
  }

  /**
   * After a retried append failed its condition: are the events at its versions its own? Then
   * an earlier attempt was committed and only its answer was lost (a reset socket, a 5xx after
   * the commit), and the append succeeded. Event ids are unique per append, so one comparison
   * of the first event decides.
   */
  private async ownEventsStored(encoded: readonly EncodedEvent[]): Promise<boolean> {
    const first = encoded[0]?.envelope;
    if (!first) return false;
    const output = await this.call('append', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [A.aggregateId]: { S: first.aggregateId }, [A.version]: { N: String(first.aggregateVersion) } },
          ProjectionExpression: '#eventId',
          ExpressionAttributeNames: { '#eventId': A.eventId },
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item?.[A.eventId]?.S === first.eventId;
  }

  /** Up to `want` events of one aggregate after `afterVersion`, in version order, optionally within [from, to). */
  private async queryAggregate(operation: string, aggregateId: string, afterVersion: number, want: number, range?: { from: string; to: string }): Promise<EventItem[]> {
    const found: EventItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    const names: Record<string, string> = { '#id': A.aggregateId, '#version': A.version };
    const values: Record<string, AttributeValue> = { ':id': { S: aggregateId }, ':after': { N: String(afterVersion) } };
    if (range) {
      names['#at'] = A.occurredAt;
      values[':from'] = { S: range.from };
      values[':to'] = { S: range.to };
    }
    do {
      const output = await this.call(operation, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#id = :id AND #version > :after',
            FilterExpression: range ? '#at >= :from AND #at < :to' : undefined,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            // A filter applies after Limit: read in larger steps so sparse matches need fewer calls.
            Limit: range ? Math.max(want, 100) : want - found.length,
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        ),
      );
      found.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey && found.length < want);
    return found.slice(0, want);
  }

  private async page(items: EventItem[], limit: number, cursorAfter: (last: EventItem) => string): Promise<Page<StoredEvent>> {
    const kept = items.slice(0, limit);
    const events = await Promise.all(kept.map((item) => this.toStoredEvent(item)));
    const last = kept[kept.length - 1];
    return items.length > limit && last ? { items: events, nextCursor: cursorAfter(last) } : { items: events };
  }

  private async toStoredEvent(item: EventItem): Promise<StoredEvent> {
    const record = recordOf(item);
    return { ...(await this.codec.decodeEnvelope(record)), record };
  }

  /** One DynamoDB call with retries of transient faults; every failure becomes EVENT_STORE_UNAVAILABLE. */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const logger = this.settings.logger;
    const onRetry = (error: unknown, attempt: number, delayMs: number): void => {
      logger.warn('DynamoDB call retried', { table: this.tableName, operation, attempt, delayMs, error });
      this.settings.retry.onRetry?.(error, attempt, delayMs);
    };
    try {
      return await callWithRetry(`DynamoDB ${operation}`, send, { ...this.settings.retry, onRetry });
    } catch (error) {
      if (hasErrorCode(error, AWS_RETRIES_EXHAUSTED)) {
        const exhausted = error as AwsRetriesExhaustedError;
        const last = exhausted.cause instanceof RetryableCancellation ? exhausted.cause.cause : exhausted.cause;
        throw new EventStoreUnavailableError(operation, last, exhausted.attempts);
      }
      throw new EventStoreUnavailableError(operation, error);
    }
  }
}

type AppendTransactionCompletion = Parameters<typeof appendTransaction>[0]['completion'];

type TransactVerdict = { kind: 'written' } | { kind: 'conflict' | 'claim-lost'; attempts: number; cause: unknown };

function versionOf(item: EventItem): number {
  return Number(item[A.version]?.N ?? 0);
}
