import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CheckpointStoreUnavailableError } from '../../core/checkpoint/CheckpointStore';
import type { CheckpointStore } from '../../core/checkpoint/CheckpointStore';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { CHECKPOINT_ATTRIBUTES as A } from './tables/checkpointTable';

/** Options of {@link DynamoDbCheckpointStore}. */
export interface DynamoDbCheckpointStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `CHECKPOINT_TABLE`. */
  tableName: string;
  /** Stamps `updatedAt`. @defaultValue () => new Date() */
  clock?: () => Date;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/**
 * Pipeline checkpoints in a DynamoDB table (`CHECKPOINT_TABLE`), one item per pipeline. As in
 * {@link SqliteCheckpointStore}, a checkpoint never moves backwards: `set` is an UpdateItem on
 * condition that the item is new or its position lower, and a failed condition (a slower worker
 * setting an older position, or the same one again) is a no-op. `get` reads strongly consistent,
 * so a restart sees the last checkpoint written.
 *
 * No `atomically`: DynamoDB has no transaction that a batch's sinks (OpenSearch, Kinesis) could
 * join, so the runner writes its checkpoint after the batch; sinks are idempotent, so a crash
 * in between only replays records.
 *
 * Errors: a transient fault is retried (`callWithRetry`), then, like every other DynamoDB
 * failure, `CHECKPOINT_STORE_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const checkpoints = new DynamoDbCheckpointStore({ client, tableName: 'nexus-prod-checkpoints' });
 * await checkpoints.set('order-list', 42);
 */
export class DynamoDbCheckpointStore implements CheckpointStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly retry: AwsRetryOptions;

  constructor(options: DynamoDbCheckpointStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? ((): Date => new Date());
    this.retry = options.retry ?? {};
  }

  async get(pipelineName: string): Promise<number> {
    const output = await this.call('get', pipelineName, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [A.pipelineName]: { S: pipelineName } }, ConsistentRead: true })),
    );
    return Number(output?.Item?.[A.position]?.N ?? 0);
  }

  async set(pipelineName: string, position: number): Promise<void> {
    await this.call('set', pipelineName, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [A.pipelineName]: { S: pipelineName } },
          UpdateExpression: 'SET #position = :position, #updatedAt = :updatedAt',
          ConditionExpression: 'attribute_not_exists(#position) OR #position < :position',
          ExpressionAttributeNames: { '#position': A.position, '#updatedAt': A.updatedAt },
          ExpressionAttributeValues: { ':position': { N: String(position) }, ':updatedAt': { S: this.clock().toISOString() } },
        }),
      ),
    );
  }

  /** The call's output, or undefined when its condition failed (an older position: a no-op). */
  private async call<T>(operation: string, pipelineName: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await callWithRetry(`DynamoDB checkpoint ${operation}`, send, this.retry);
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return undefined;
      throw new CheckpointStoreUnavailableError(operation, pipelineName, error);
    }
  }
}
