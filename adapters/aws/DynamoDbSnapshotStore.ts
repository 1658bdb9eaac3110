import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SnapshotStoreUnavailableError, SnapshotTooLargeError } from '../../core/snapshot/SnapshotErrors';
import type { Snapshot, SnapshotStore } from '../../core/snapshot/SnapshotStore';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { SNAPSHOT_ATTRIBUTES as A } from './tables/snapshotsTable';
import { isConditionFailure } from './dynamoDbConditionFailure';

/** Options of {@link DynamoDbSnapshotStore}. */
export interface DynamoDbSnapshotStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `SNAPSHOTS_TABLE` (TTL on `expiresAt`). */
  tableName: string;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/**
 * Aggregate snapshots in a DynamoDB table (`SNAPSHOTS_TABLE`), one item per aggregate. The state
 * is a string attribute of JSON text; `expiresAt` is epoch seconds (rounded down), the table's TTL
 * attribute, so DynamoDB deletes expired snapshots itself (lazily, up to days late: reads compare
 * it with the time and never answer an expired one).
 *
 * `put` is a PutItem on condition that no item is there, or it is of another fold version, older,
 * or expired: DynamoDB evaluates the condition and the write as one, so two writers racing keep
 * the newer snapshot and never overwrite it with an older one. A failed condition answers false.
 * `latest` reads eventually consistent (half the cost): a read that misses the newest write only
 * folds a few more events.
 *
 * Errors: a state larger than an item holds (400 KB) is `SNAPSHOT_TOO_LARGE`; a transient fault
 * is retried (`callWithRetry`), then, like every other DynamoDB failure,
 * `SNAPSHOT_STORE_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const snapshots = new DynamoDbSnapshotStore({ client, tableName: 'nexus-prod-snapshots' });
 * const latest = await snapshots.latest('o-1', '1', new Date());
 */
export class DynamoDbSnapshotStore implements SnapshotStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retry: AwsRetryOptions;

  constructor(options: DynamoDbSnapshotStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retry = options.retry ?? {};
  }

  async latest(aggregateId: string, foldVersion: string, now: Date): Promise<Snapshot | undefined> {
    const output = await this.call('latest', aggregateId, () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [A.aggregateId]: { S: aggregateId } } })));
    const item = output.Item;
    if (item === undefined || item[A.foldVersion]?.S !== foldVersion) return undefined;
    const snapshot = snapshotOf(item);
    return Date.parse(snapshot.expiresAt) > now.getTime() ? snapshot : undefined;
  }

  async put(snapshot: Snapshot): Promise<boolean> {
    return this.call(
      'put',
      snapshot.aggregateId,
      () =>
        this.client
          .send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: itemOf(snapshot),
              ConditionExpression: 'attribute_not_exists(#id) OR #fold <> :fold OR #version < :version OR #expiresAt <= :createdAt',
              ExpressionAttributeNames: { '#id': A.aggregateId, '#fold': A.foldVersion, '#version': A.version, '#expiresAt': A.ttl },
              ExpressionAttributeValues: {
                ':fold': { S: snapshot.foldVersion },
                ':version': { N: String(snapshot.version) },
                ':createdAt': { N: String(Math.floor(Date.parse(snapshot.createdAt) / 1000)) },
              },
            }),
          )
          // A failed condition: a newer snapshot of this fold version is there, and stays.
          .then(
            () => true,
            (error: unknown) => {
              if (isConditionFailure(error)) return false;
              throw error;
            },
          ),
      Buffer.byteLength(snapshot.stateJson, 'utf8'),
    );
  }

  private async call<T>(operation: string, aggregateId: string, send: () => Promise<T>, bytes = 0): Promise<T> {
    try {
      return await callWithRetry(`DynamoDB snapshot ${operation}`, send, this.retry);
    } catch (error) {
      const { name, message } = error as { name?: unknown; message?: unknown };
      if (name === 'ValidationException' && typeof message === 'string' && /item size/i.test(message)) throw new SnapshotTooLargeError(aggregateId, bytes, error);
      throw new SnapshotStoreUnavailableError(operation, aggregateId, error);
    }
  }
}

function itemOf(snapshot: Snapshot): Record<string, AttributeValue> {
  return {
    [A.aggregateId]: { S: snapshot.aggregateId },
    [A.aggregateType]: { S: snapshot.aggregateType },
    [A.version]: { N: String(snapshot.version) },
    [A.foldVersion]: { S: snapshot.foldVersion },
    [A.state]: { S: snapshot.stateJson },
    [A.lastEventAt]: { S: new Date(snapshot.lastEventAt).toISOString() },
    [A.createdAt]: { S: new Date(snapshot.createdAt).toISOString() },
    // TTL counts whole seconds; rounding down never serves a snapshot past its time.
    [A.ttl]: { N: String(Math.floor(Date.parse(snapshot.expiresAt) / 1000)) },
  };
}

function snapshotOf(item: Record<string, AttributeValue>): Snapshot {
  return {
    aggregateType: item[A.aggregateType]?.S ?? '',
    aggregateId: item[A.aggregateId]?.S ?? '',
    version: Number(item[A.version]?.N ?? 0),
    foldVersion: item[A.foldVersion]?.S ?? '',
    stateJson: item[A.state]?.S ?? 'null',
    lastEventAt: item[A.lastEventAt]?.S ?? '',
    createdAt: item[A.createdAt]?.S ?? '',
    expiresAt: new Date(Number(item[A.ttl]?.N ?? 0) * 1000).toISOString(),
  };
}
