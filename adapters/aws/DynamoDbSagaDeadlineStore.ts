import { DeleteItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NexusError } from '../../core/errors/NexusError';
import { SAGA_DEADLINE_ERRORS } from '../../core/saga/SagaDeadlineStore';
import type { SagaDeadline, SagaDeadlineStore } from '../../core/saga/SagaDeadlineStore';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { SAGA_DEADLINE_ATTRIBUTES as A, SAGA_DEADLINE_PENDING, SAGA_DEADLINES_BY_DUE_AT } from './tables/sagaDeadlinesTable';

/** Options of {@link DynamoDbSagaDeadlineStore}. */
export interface DynamoDbSagaDeadlineStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `SAGA_DEADLINES_TABLE`. */
  tableName: string;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/**
 * Saga deadlines in a DynamoDB table (`SAGA_DEADLINES_TABLE`): `schedule` is a PutItem (one item
 * per saga, replaced by the next step's), `clear` a DeleteItem on condition that the item is still
 * for that step (a failed condition is a no-op: a newer step's deadline stays), `due` a Query of
 * the `ByDueAt` index. The index is eventually consistent: a deadline just scheduled may be seen a
 * sweep later, and one just cleared may still be listed; the saga runtime treats every deadline
 * as a reminder checked against the saga's stream, so neither matters.
 *
 * Errors: a transient fault is retried (`callWithRetry`), then, like every other DynamoDB
 * failure, `SAGA_DEADLINE_STORE_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const deadlines = new DynamoDbSagaDeadlineStore({ client, tableName: 'nexus-prod-saga-deadlines' });
 */
export class DynamoDbSagaDeadlineStore implements SagaDeadlineStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retry: AwsRetryOptions;

  constructor(options: DynamoDbSagaDeadlineStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retry = options.retry ?? {};
  }

  async schedule(deadline: SagaDeadline): Promise<void> {
    await this.call('schedule', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [A.sagaId]: { S: deadline.sagaId },
            [A.sagaType]: { S: deadline.sagaType },
            [A.step]: { S: deadline.step },
            [A.dueAt]: { S: deadline.dueAt },
            [A.pending]: { S: SAGA_DEADLINE_PENDING },
          },
        }),
      ),
    );
  }

  async clear(sagaId: string, step: string): Promise<void> {
    await this.call('clear', () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [A.sagaId]: { S: sagaId } },
          ConditionExpression: '#step = :step',
          ExpressionAttributeNames: { '#step': A.step },
          ExpressionAttributeValues: { ':step': { S: step } },
        }),
      ),
    );
  }

  async due(now: string, limit: number): Promise<SagaDeadline[]> {
    const output = await this.call('due', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SAGA_DEADLINES_BY_DUE_AT,
          KeyConditionExpression: '#pending = :pending AND #dueAt <= :now',
          ExpressionAttributeNames: { '#pending': A.pending, '#dueAt': A.dueAt },
          ExpressionAttributeValues: { ':pending': { S: SAGA_DEADLINE_PENDING }, ':now': { S: now } },
          Limit: limit,
        }),
      ),
    );
    return (output?.Items ?? []).map((item) => ({
      sagaType: item[A.sagaType]?.S ?? '',
      sagaId: item[A.sagaId]?.S ?? '',
      step: item[A.step]?.S ?? '',
      dueAt: item[A.dueAt]?.S ?? '',
    }));
  }

  /** The call's output, or undefined when its condition failed (a clear of a step no longer scheduled). */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await callWithRetry(`DynamoDB saga deadline ${operation}`, send, this.retry);
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new NexusError(SAGA_DEADLINE_ERRORS.STORE_UNAVAILABLE, `saga deadline ${operation} failed: ${reason}`, { cause: error, details: { operation } });
    }
  }
}
