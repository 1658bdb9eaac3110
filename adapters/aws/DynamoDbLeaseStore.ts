import { PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hasErrorCode, NexusError } from '../../core/errors/NexusError';
import type { LeaseStore, ShardDescription, ShardLease } from '../../core/leases/LeaseStore';
import { AWS_RETRIES_EXHAUSTED, callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { LEASE_ATTRIBUTES as A } from './leasesTable';

/** Options of {@link DynamoDbLeaseStore}. */
export interface DynamoDbLeaseStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries). */
  client: DynamoDBClient;
  /** A table made from {@link LEASES_TABLE}. */
  tableName: string;
  /** The consumer group: one pipeline reading one stream, e.g. `order-list@core`. */
  group: string;
  retry?: AwsRetryOptions;
}

export const LEASE_STORE_UNAVAILABLE = 'LEASE_STORE_UNAVAILABLE';

/** The lease table could not be read or written after every retry. */
export class LeaseStoreUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown) {
    super(LEASE_STORE_UNAVAILABLE, `lease table ${operation} failed`, { cause, details: { operation } });
  }
}

/**
 * Shard leases in DynamoDB: every write is an UpdateItem/PutItem with a condition on the owner
 * and the counter, so a lost race is a `ConditionalCheckFailedException`, answered as
 * `undefined`/`false`. Listing is a strongly consistent Query of the group's partition.
 *
 * @example
 * const leases = new DynamoDbLeaseStore({ client, tableName: 'nexus-dev-leases', group: 'order-list@core' });
 */
export class DynamoDbLeaseStore implements LeaseStore {
  constructor(private readonly options: DynamoDbLeaseStoreOptions) {}

  async list(): Promise<ShardLease[]> {
    const leases: ShardLease[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.call('Query', () =>
        this.options.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            KeyConditionExpression: '#g = :g',
            ExpressionAttributeNames: { '#g': A.group },
            ExpressionAttributeValues: { ':g': { S: this.options.group } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) leases.push(leaseOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return leases;
  }

  async createIfAbsent(shard: ShardDescription, checkpoint: string): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      [A.group]: { S: this.options.group },
      [A.shardId]: { S: shard.shardId },
      [A.counter]: { N: '0' },
      [A.checkpoint]: { S: checkpoint },
      [A.parents]: { L: shard.parentShardIds.map((id) => ({ S: id })) },
    };
    return this.conditional('PutItem', () =>
      this.options.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#s)', ExpressionAttributeNames: { '#s': A.shardId } })),
    ).then((answer) => answer !== undefined);
  }

  take(shardId: string, owner: string, expectedCounter: number): Promise<ShardLease | undefined> {
    return this.update('take', shardId, 'SET #o = :me, #c = #c + :one', '#c = :expected', { ':me': { S: owner }, ':expected': { N: String(expectedCounter) } });
  }

  renew(shardId: string, owner: string, expectedCounter: number): Promise<ShardLease | undefined> {
    return this.update('renew', shardId, 'SET #c = #c + :one', '#o = :me AND #c = :expected', { ':me': { S: owner }, ':expected': { N: String(expectedCounter) } });
  }

  async checkpoint(shardId: string, owner: string, checkpoint: string): Promise<boolean> {
    const lease = await this.update('checkpoint', shardId, 'SET #k = :checkpoint', '#o = :me', { ':me': { S: owner }, ':checkpoint': { S: checkpoint } });
    return lease !== undefined;
  }

  async release(shardId: string, owner: string): Promise<boolean> {
    const lease = await this.update('release', shardId, 'REMOVE #o SET #c = #c + :one', '#o = :me', { ':me': { S: owner } });
    return lease !== undefined;
  }

  private update(operation: string, shardId: string, update: string, condition: string, values: Record<string, AttributeValue>): Promise<ShardLease | undefined> {
    const usesOne = update.includes(':one');
    return this.conditional(`UpdateItem ${operation}`, () =>
      this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { [A.group]: { S: this.options.group }, [A.shardId]: { S: shardId } },
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(#s) AND ${condition}`,
          ExpressionAttributeNames: namesUsed(`${update} ${condition}`, { '#s': A.shardId }),
          ExpressionAttributeValues: { ...values, ...(usesOne ? { ':one': { N: '1' } } : {}) },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    ).then((answer) => (answer?.Attributes ? leaseOf(answer.Attributes) : undefined));
  }

  /** The call's answer, or undefined when its condition failed (a race lost, not an error). */
  private async conditional<T>(operation: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(operation, send);
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(operation, send, this.options.retry);
    } catch (error) {
      // Only exhausted transient faults mean "unavailable"; a failed condition or a bad request is the caller's.
      if (hasErrorCode(error, AWS_RETRIES_EXHAUSTED)) throw new LeaseStoreUnavailableError(operation, error);
      throw error;
    }
  }
}

const NAMES: Record<string, string> = { '#o': A.owner, '#c': A.counter, '#k': A.checkpoint };

/** Only the placeholders an expression uses: DynamoDB refuses unused ones. */
function namesUsed(expression: string, base: Record<string, string>): Record<string, string> {
  const names = { ...base };
  for (const [placeholder, name] of Object.entries(NAMES)) if (expression.includes(placeholder)) names[placeholder] = name;
  return names;
}

function leaseOf(item: Record<string, AttributeValue>): ShardLease {
  return {
    shardId: item[A.shardId]?.S ?? '',
    owner: item[A.owner]?.S ?? null,
    counter: Number(item[A.counter]?.N ?? '0'),
    checkpoint: item[A.checkpoint]?.S ?? '',
    parentShardIds: (item[A.parents]?.L ?? []).map((value) => value.S ?? ''),
  };
}
