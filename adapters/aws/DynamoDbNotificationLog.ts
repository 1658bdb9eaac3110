import { createHash, randomInt } from 'node:crypto';
import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NexusError } from '../../core/errors/NexusError';
import type { DocumentChanged } from '../../core/notifications/DocumentChanged';
import { callWithRetry, describeAwsError } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { NOTIFICATION_LOG_ATTRIBUTES as A } from './tables/notificationLogTable';

/** The notification log could not be read or written (after retries of transient faults). */
export const NOTIFICATION_LOG_UNAVAILABLE = 'NOTIFICATION_LOG_UNAVAILABLE';

/** A DynamoDB failure of the notification log, with the SDK error as `cause`. */
export class NotificationLogUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown) {
    super(NOTIFICATION_LOG_UNAVAILABLE, `the notification log failed to ${operation}: ${describeAwsError(cause)}`, { cause, details: { operation } });
  }
}

/** A logged change and its position. */
export interface LoggedChange {
  change: DocumentChanged;
  position: number;
}

/** What a resume from a position finds: the changes since, or why they cannot be replayed. */
export type ResumeAnswer = { kind: 'changes'; changes: LoggedChange[]; head: number } | { kind: 'resync'; reason: 'pruned' | 'unknown-position' | 'overflow'; head: number };

/** Options of {@link DynamoDbNotificationLog}. */
export interface DynamoDbNotificationLogOptions {
  /** A client built with `maxAttempts: 1` (this log retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `NOTIFICATION_LOG_TABLE`. */
  tableName: string;
  /** Partitions per resource type. Changing it makes earlier entries unreadable: resumes then resync. @defaultValue 8 */
  shards?: number;
  /** How long changes are kept for resuming. @defaultValue 86400 */
  retentionSeconds?: number;
  /**
   * How far before `after` a resume reads again. Positions are publish times from several Lambda
   * containers, so a change may become visible after a later one was delivered; re-reading a
   * margin repeats some changes, which clients ignore (they keep the highest version). @defaultValue 5000
   */
  resumeMarginMs?: number;
  /** Changes a resume replays at most; beyond, the client is told to resync. @defaultValue 10000 */
  maxResumeChanges?: number;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
  /** @defaultValue Date.now */
  clock?: () => number;
}

/** Defaults of {@link DynamoDbNotificationLogOptions}. */
export const NOTIFICATION_LOG_DEFAULTS = {
  /** @defaultValue 8 */
  shards: 8,
  /** @defaultValue 86400 */
  retentionSeconds: 86_400,
  /** @defaultValue 5000 */
  resumeMarginMs: 5_000,
  /** @defaultValue 10000 */
  maxResumeChanges: 10_000,
} as const;

/** Positions are microseconds: a clock this far ahead of the log's head is an unknown position. */
const MAX_CLOCK_SKEW_MS = 60_000;
/** Collisions of a random tie-breaker within one millisecond and partition, tried again this often. */
const APPEND_ROUNDS = 5;

/**
 * The AWS notification log (table of `NOTIFICATION_LOG_TABLE`): the changes `notify` published,
 * by resource type, with time-ordered positions (publish time in microseconds), so a resumed
 * resource-type subscription (`after`) gets what it missed, as the embedded log does.
 *
 * Positions are comparable across Lambda containers only as far as their clocks agree: a resume
 * reads from `after - resumeMarginMs`, so a change logged slightly out of order is not missed
 * (repeats are harmless). `after` older than the retention answers `resync` (`pruned`), one
 * ahead of the clock `unknown-position`, more than `maxResumeChanges` `overflow`.
 *
 * Errors: transient faults are retried, then, like every other DynamoDB failure,
 * `NOTIFICATION_LOG_UNAVAILABLE` with the SDK error as `cause`.
 */
export class DynamoDbNotificationLog {
  private readonly settings: Required<Omit<DynamoDbNotificationLogOptions, 'client' | 'tableName' | 'retry' | 'clock'>>;
  private readonly clock: () => number;

  constructor(private readonly options: DynamoDbNotificationLogOptions) {
    this.settings = {
      shards: options.shards ?? NOTIFICATION_LOG_DEFAULTS.shards,
      retentionSeconds: options.retentionSeconds ?? NOTIFICATION_LOG_DEFAULTS.retentionSeconds,
      resumeMarginMs: options.resumeMarginMs ?? NOTIFICATION_LOG_DEFAULTS.resumeMarginMs,
      maxResumeChanges: options.maxResumeChanges ?? NOTIFICATION_LOG_DEFAULTS.maxResumeChanges,
    };
    this.clock = options.clock ?? Date.now;
    if (!(Number.isInteger(this.settings.shards) && this.settings.shards > 0 && this.settings.shards <= 100)) throw new RangeError(`shards must be an integer from 1 to 100; got ${this.settings.shards}`);
  }

  /** The position every change logged so far lies at or before (within the clock margin). */
  head(): number {
    return this.clock() * 1000 + 999;
  }

  /** Logs `changes`, resolving their positions in the same order. */
  async append(changes: readonly DocumentChanged[]): Promise<number[]> {
    return Promise.all(changes.map((change) => this.appendOne(change)));
  }

  /** The logged changes of `resourceType` after position `after` (and the margin before it), in position order. */
  async since(resourceType: string, after: number): Promise<ResumeAnswer> {
    const nowMs = this.clock();
    const head = this.head();
    if (after > (nowMs + MAX_CLOCK_SKEW_MS) * 1000) return { kind: 'resync', reason: 'unknown-position', head };
    if (after < (nowMs - this.settings.retentionSeconds * 1000) * 1000) return { kind: 'resync', reason: 'pruned', head };
    const from = Math.max(0, after - this.settings.resumeMarginMs * 1000);
    const shards = Array.from({ length: this.settings.shards }, (_unused, shard) => this.readShard(`${resourceType}#${shard}`, from));
    const read = await Promise.all(shards);
    if (read.some((entries) => entries === undefined)) return { kind: 'resync', reason: 'overflow', head };
    const changes = (read as LoggedChange[][]).flat().sort((a, b) => a.position - b.position);
    if (changes.length > this.settings.maxResumeChanges) return { kind: 'resync', reason: 'overflow', head };
    return { kind: 'changes', changes, head };
  }

  private async appendOne(change: DocumentChanged): Promise<number> {
    const partition = `${change.resourceType}#${this.shardOf(change.id)}`;
    const json = JSON.stringify(change);
    for (let round = 0; round < APPEND_ROUNDS; round += 1) {
      const nowMs = this.clock();
      const position = nowMs * 1000 + randomInt(1000);
      const item: Record<string, AttributeValue> = {
        [A.partition]: { S: partition },
        [A.position]: { N: String(position) },
        [A.change]: { S: json },
        [A.ttl]: { N: String(Math.ceil(nowMs / 1000) + this.settings.retentionSeconds) },
      };
      try {
        await callWithRetry('DynamoDB notification log append', () =>
          this.options.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#position)', ExpressionAttributeNames: { '#position': A.position } })),
        this.options.retry);
        return position;
      } catch (error) {
        if ((error as { name?: unknown }).name !== 'ConditionalCheckFailedException') throw new NotificationLogUnavailableError('append a change', error);
      }
    }
    throw new NotificationLogUnavailableError('append a change', new Error(`${APPEND_ROUNDS} positions in a row were taken`));
  }

  /** A shard's changes from `from` on; undefined when there are more than a resume replays. */
  private async readShard(partition: string, from: number): Promise<LoggedChange[] | undefined> {
    const changes: LoggedChange[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      let output;
      try {
        output = await callWithRetry('DynamoDB notification log read', () =>
          this.options.client.send(
            new QueryCommand({
              TableName: this.options.tableName,
              KeyConditionExpression: '#partition = :partition AND #position >= :from',
              ExpressionAttributeNames: { '#partition': A.partition, '#position': A.position },
              ExpressionAttributeValues: { ':partition': { S: partition }, ':from': { N: String(from) } },
              ...(start === undefined ? {} : { ExclusiveStartKey: start }),
            }),
          ),
        this.options.retry);
      } catch (error) {
        throw new NotificationLogUnavailableError('read changes', error);
      }
      for (const item of output.Items ?? []) changes.push({ position: Number(item[A.position]?.N ?? 0), change: JSON.parse(item[A.change]?.S ?? '{}') as DocumentChanged });
      if (changes.length > this.settings.maxResumeChanges) return undefined;
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    return changes;
  }

  private shardOf(id: string): number {
    return createHash('sha256').update(id).digest().readUInt32BE(0) % this.settings.shards;
  }
}
