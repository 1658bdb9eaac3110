import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import { NexusError, errorCodeOf } from '../../core/errors/NexusError';
import { READ_MODEL_VERSION_ERRORS } from '../../core/readmodel/ReadModelVersions';
import type { BegunRebuild, ProjectionVersion, ReadModelVersions } from '../../core/readmodel/ReadModelVersions';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { switchReadModelAliases } from './openSearchReadModelAliases';
import { READ_MODEL_VERSION_ATTRIBUTES as A } from './tables/readModelVersionsTable';

/** Options of {@link DynamoDbReadModelVersions}. */
export interface DynamoDbReadModelVersionsOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `READ_MODEL_VERSIONS_TABLE`. */
  tableName: string;
  /** The OpenSearch client of the read models (`maxRetries: 0`). */
  openSearch: Client;
  /** The read models' index prefix (as given to `OpenSearchReadModelStore`). */
  indexPrefix: string;
  /** Stamps `rebuildStartedAt`. @defaultValue () => new Date() */
  clock?: () => Date;
  /** Retries of transient faults (DynamoDB and OpenSearch). @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/**
 * Read-model versions on AWS: a DynamoDB item per rebuilt pipeline (`READ_MODEL_VERSIONS_TABLE`:
 * current version, unfinished rebuild) and the collections in OpenSearch as aliases over
 * versioned indices (see `openSearchReadModelAliases.ts`); a rebuild's shadows are the indices
 * `<prefix><collection>-v<n>`.
 *
 * Guarantees of `switchTo`: there is no transaction spanning OpenSearch and the live pipeline,
 * so the switch is catch-up, alias swap, catch-up again:
 * 1. `catchUp` applies what the source shows after the replay's checkpoint;
 * 2. every alias of the pipeline moves to its shadow in ONE `_aliases` request (readers see the
 *    old version or the new one, never an error or a missing index), the old indices are deleted;
 * 3. `catchUp` runs again: a live write that went to the old index after step 1 read the source
 *    is for a record the source already held, so this second pass puts it in the new version;
 *    from step 2 on, the live pipeline writes the new version itself (upserts are idempotent by
 *    aggregate version, so overlaps are harmless);
 * 4. the item records the version (conditionally on the rebuild being this one).
 * A crash anywhere leaves the rebuild unfinished: running it again resumes and re-runs the
 * switch, whose alias step is idempotent. Between steps 2 and 3 (one catch-up, typically well
 * under a second) a reader may see a document one version older than the old index showed.
 *
 * Errors: `READ_MODEL_VERSIONS_UNAVAILABLE` when DynamoDB or OpenSearch fails (after retries),
 * with the cause; `PROJECTION_REBUILD_BEHIND` when `switchTo` names a version that is not
 * being rebuilt; whatever `catchUp` throws.
 *
 * @example
 * const versions = new DynamoDbReadModelVersions({ client, tableName: 'nexus-prod-read-model-versions', openSearch, indexPrefix: 'nexus-prod-read-model-' });
 * const { version } = await versions.beginRebuild('order-list');
 */
export class DynamoDbReadModelVersions implements ReadModelVersions {
  private readonly clock: () => Date;
  private readonly retry: AwsRetryOptions;

  constructor(private readonly options: DynamoDbReadModelVersionsOptions) {
    this.clock = options.clock ?? ((): Date => new Date());
    this.retry = options.retry ?? {};
  }

  async get(pipeline: string): Promise<ProjectionVersion> {
    const output = await this.call('get', () =>
      this.options.client.send(new GetItemCommand({ TableName: this.options.tableName, Key: { [A.pipeline]: { S: pipeline } }, ConsistentRead: true })),
    );
    const item = output.Item;
    const version = Number(item?.[A.version]?.N ?? 1);
    const rebuildVersion = item?.[A.rebuildVersion]?.N;
    const rebuild = rebuildVersion !== undefined ? { version: Number(rebuildVersion), startedAt: item?.[A.rebuildStartedAt]?.S ?? '' } : undefined;
    return { pipeline, version, ...(rebuild ? { rebuild } : {}) };
  }

  async beginRebuild(pipeline: string): Promise<BegunRebuild> {
    const current = await this.get(pipeline);
    if (current.rebuild) return { version: current.rebuild.version, resumed: true };
    const version = current.version + 1;
    try {
      await this.call('beginRebuild', () =>
        this.options.client.send(
          new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: { [A.pipeline]: { S: pipeline } },
            UpdateExpression: 'SET #version = if_not_exists(#version, :one), #rebuild = :rebuild, #startedAt = :startedAt',
            // Two operators starting at once: one wins, the other resumes the winner's rebuild.
            ConditionExpression: 'attribute_not_exists(#rebuild)',
            ExpressionAttributeNames: { '#version': A.version, '#rebuild': A.rebuildVersion, '#startedAt': A.rebuildStartedAt },
            ExpressionAttributeValues: { ':one': { N: '1' }, ':rebuild': { N: String(version) }, ':startedAt': { S: this.clock().toISOString() } },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return this.beginRebuild(pipeline);
    }
    return { version, resumed: false };
  }

  async switchTo(pipeline: string, version: number, catchUp: () => Promise<void>): Promise<readonly string[]> {
    const current = await this.get(pipeline);
    if (current.rebuild?.version !== version) {
      throw new NexusError(READ_MODEL_VERSION_ERRORS.BEHIND, `pipeline ${pipeline} has no unfinished rebuild of version ${version}`, { details: { pipeline, version } });
    }
    await catchUp();
    // switchReadModelAliases retries OpenSearch itself: called once, its failure only mapped.
    const { collections } = await this.call('switch aliases', () => switchReadModelAliases(this.options.openSearch, this.options.indexPrefix, pipeline, version, this.retry), { retry: false });
    await catchUp();
    await this.call('switchTo', () =>
      this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { [A.pipeline]: { S: pipeline } },
          UpdateExpression: 'SET #version = :version REMOVE #rebuild, #startedAt',
          ConditionExpression: '#rebuild = :version',
          ExpressionAttributeNames: { '#version': A.version, '#rebuild': A.rebuildVersion, '#startedAt': A.rebuildStartedAt },
          ExpressionAttributeValues: { ':version': { N: String(version) } },
        }),
      ),
    );
    return collections;
  }

  private async call<T>(operation: string, send: () => Promise<T>, how = { retry: true }): Promise<T> {
    try {
      return how.retry ? await callWithRetry(`read model versions ${operation}`, send, this.retry) : await send();
    } catch (error) {
      if (isConditionFailed(error) || errorCodeOf(error) === READ_MODEL_VERSION_ERRORS.BEHIND) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new NexusError(READ_MODEL_VERSION_ERRORS.STORE_UNAVAILABLE, `read model versions ${operation} failed: ${message}`, { cause: error });
    }
  }
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}
