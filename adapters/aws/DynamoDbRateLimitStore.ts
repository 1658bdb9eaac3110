import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RateLimitStoreUnavailableError } from '../../core/auth/RateLimitStore';
import type { RateLimitCount, RateLimitStore } from '../../core/auth/RateLimitStore';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { RATE_LIMIT_ATTRIBUTES as A } from './tables/rateLimitTable';

/** Options of {@link DynamoDbRateLimitStore}. */
export interface DynamoDbRateLimitStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `RATE_LIMIT_TABLE`. */
  tableName: string;
  /** How long after its window ends DynamoDB TTL may delete a key's item; covers clock skew between callers and AWS. @defaultValue 3600 */
  ttlMarginSeconds?: number;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

const DEFAULTS = { ttlMarginSeconds: 3600, retry: {} as AwsRetryOptions };

/** A hit alternates between "count in the stored window" and "start a new one" at most this often. */
const HIT_ROUNDS = 3;

/**
 * Request counts per key in a DynamoDB table (`RATE_LIMIT_TABLE`), with the windows of
 * {@link SqliteRateLimitStore}: one item per key holding its current fixed window and count.
 *
 * A hit is an atomic UpdateItem `ADD hits 1` on condition that the stored window is the hit's
 * window or a newer one (a late hit from a slow clock is counted in the newer window, never
 * rewinding it). When that condition fails (no item, or an older window) a second conditional
 * update starts the new window at 1; if a concurrent hit started it first, the increment is
 * tried again. So concurrent hits on one key, from any number of processes, are all counted.
 *
 * Errors: a transient fault is retried (`callWithRetry`), then, like every other DynamoDB
 * failure, `RATE_LIMIT_STORE_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const limits = new DynamoDbRateLimitStore({ client, tableName: 'nexus-prod-rate-limits' });
 * const { count, resetAt } = await limits.hit('temporal-queries:alice', 60, new Date());
 */
export class DynamoDbRateLimitStore implements RateLimitStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly ttlMarginSeconds: number;
  private readonly retry: AwsRetryOptions;

  constructor(options: DynamoDbRateLimitStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlMarginSeconds = options.ttlMarginSeconds ?? DEFAULTS.ttlMarginSeconds;
    this.retry = options.retry ?? DEFAULTS.retry;
    if (!(Number.isFinite(this.ttlMarginSeconds) && this.ttlMarginSeconds >= 0)) throw new RangeError(`ttlMarginSeconds must be a non-negative number; got ${this.ttlMarginSeconds}`);
  }

  async hit(key: string, windowSeconds: number, now: Date): Promise<RateLimitCount> {
    if (!(Number.isInteger(windowSeconds) && windowSeconds > 0)) throw new RangeError(`windowSeconds must be a positive integer; got ${windowSeconds}`);
    const windowMs = windowSeconds * 1000;
    const windowStartMs = Math.floor(now.getTime() / windowMs) * windowMs;
    const resetAt = new Date(windowStartMs + windowMs);
    for (let round = 1; round <= HIT_ROUNDS; round += 1) {
      const counted = await this.update(key, {
        UpdateExpression: 'ADD #count :one',
        ConditionExpression: '#window >= :window',
      }, windowStartMs);
      if (counted !== undefined) return { count: counted, resetAt };
      const started = await this.update(key, {
        UpdateExpression: 'SET #window = :window, #count = :one, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#window) OR #window < :window',
        ttl: Math.ceil(resetAt.getTime() / 1000) + this.ttlMarginSeconds,
      }, windowStartMs);
      if (started !== undefined) return { count: started, resetAt };
    }
    throw new RateLimitStoreUnavailableError(key, new Error(`the window of ${key} kept changing under the hit`));
  }

  /** The count after the update, or undefined when its condition failed. */
  private async update(key: string, expression: { UpdateExpression: string; ConditionExpression: string; ttl?: number }, windowStartMs: number): Promise<number | undefined> {
    const names: Record<string, string> = { '#window': A.windowStartMs, '#count': A.count };
    if (expression.ttl !== undefined) names['#ttl'] = A.ttl;
    try {
      const output = await callWithRetry('DynamoDB rate-limit hit', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [A.key]: { S: key } },
            UpdateExpression: expression.UpdateExpression,
            ConditionExpression: expression.ConditionExpression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':one': { N: '1' },
              ':window': { N: String(windowStartMs) },
              ...(expression.ttl === undefined ? {} : { ':ttl': { N: String(expression.ttl) } }),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ), this.retry);
      return Number(output.Attributes?.[A.count]?.N ?? 1);
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return undefined;
      throw new RateLimitStoreUnavailableError(key, error);
    }
  }
}
