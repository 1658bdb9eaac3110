import { GetItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, QueryCommandInput, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DeadLetterNotFoundError, DeadLetterNotParkedError, DeadLetterStoreUnavailableError, DeadLetterTooLargeError } from '../../core/deadletter/DeadLetterErrors';
import type { DeadLetter, DeadLetterStore, ListDeadLettersOptions, NewDeadLetter } from '../../core/deadletter/DeadLetterStore';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { DYNAMODB_MAX_ITEM_BYTES, DYNAMODB_MAX_TRANSACTION_BYTES, DYNAMODB_MAX_TRANSACTION_ITEMS, deadLetterOf, entryItems, entryPk, itemBytes, parkedPk, partsOf } from './tables/deadLetterItems';
import type { Item } from './tables/deadLetterItems';
import { DEAD_LETTERS_BY_PIPELINE, DEAD_LETTERS_BY_STATUS, DEAD_LETTER_ATTRIBUTES as A } from './tables/deadLetterTable';
import { isConditionFailure } from './dynamoDbConditionFailure';

/** Options of {@link DynamoDbDeadLetterStore}. */
export interface DynamoDbDeadLetterStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `DEAD_LETTER_TABLE`. */
  tableName: string;
  /** Stamps `parkedAt` and `resolvedAt`. @defaultValue () => new Date() */
  clock?: () => Date;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
  /**
   * Largest item written; a record that does not fit beside its fields goes in parts. Lower it
   * only for an engine that counts sizes differently (moto counts a Binary at its base64 length).
   * @defaultValue 400000 (DynamoDB's 400 KB)
   */
  maxItemBytes?: number;
}

/** Upper bound of `list` when no limit is given (as SQLite's). */
const DEFAULT_LIST_LIMIT = 100;
const STATUSES: readonly DeadLetter['status'][] = ['parked', 'redriven', 'skipped'];
/** Room kept in a transaction for the parked marker and our estimate's error. */
const TRANSACTION_SLACK_BYTES = 64 * 1024;

/**
 * Parked records in a DynamoDB table (`DEAD_LETTER_TABLE`; its TSDoc shows the items). Every
 * read is a GetItem or a Query, never a Scan.
 *
 * - Ids come from an atomic counter item (`ADD lastId 1`), so they increase in parked order and
 *   are never reused (a crash after taking an id leaves a gap, nothing else).
 * - `park` writes the entry and its key's parked marker in one TransactWriteItems; `resolve`
 *   updates the entry (on condition that it is still parked) and deletes the marker in another.
 *   So `isKeyParked` and `oldestParked`, strongly consistent Queries on the marker partition,
 *   always agree with the entries.
 * - A record larger than one item (400 KB) is stored in parts of the same partition, written in
 *   the same transaction: a Kinesis record of 1 MiB parks like any other. What does not fit in
 *   one transaction (4 MB, 100 items) is refused with `DEAD_LETTER_TOO_LARGE` before anything
 *   is written.
 * - `list` queries a sparse GSI (by pipeline, or by status across pipelines) in id order and
 *   filters the rest; GSIs are eventually consistent, so an entry parked or resolved a moment
 *   ago may be missing or stale there (the CLI's view; `get` is exact).
 *
 * Errors: `DEAD_LETTER_NOT_FOUND`, `DEAD_LETTER_NOT_PARKED`, `DEAD_LETTER_TOO_LARGE`; a transient
 * fault is retried (`callWithRetry`), then, like every other DynamoDB failure,
 * `DEAD_LETTER_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const deadLetters = new DynamoDbDeadLetterStore({ client, tableName: 'nexus-prod-dead-letters' });
 * if (await deadLetters.isKeyParked('order-list', orderId)) { ... }
 */
export class DynamoDbDeadLetterStore implements DeadLetterStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly retry: AwsRetryOptions;
  private readonly maxItemBytes: number;

  constructor(options: DynamoDbDeadLetterStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? ((): Date => new Date());
    this.retry = options.retry ?? {};
    this.maxItemBytes = Math.min(options.maxItemBytes ?? DYNAMODB_MAX_ITEM_BYTES, DYNAMODB_MAX_ITEM_BYTES);
  }

  async park(entry: NewDeadLetter): Promise<DeadLetter> {
    const draft: DeadLetter = { ...entry, id: 0, parkedAt: this.clock().toISOString(), status: 'parked', resolvedAt: null };
    this.refuseIfTooLarge(draft);
    const id = await this.nextId();
    const parked = { ...draft, id };
    const items = entryItems(parked, this.maxItemBytes) ?? [];
    const marker: Item = { [A.pk]: { S: parkedPk(entry.pipelineName, entry.key) }, [A.sk]: { N: String(id) } };
    await this.send('park', () =>
      this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [...items, marker].map((item): TransactWriteItem => ({ Put: { TableName: this.tableName, Item: item } })),
        }),
      ),
    );
    return parked;
  }

  async oldestParked(pipelineName: string, key: string): Promise<DeadLetter | undefined> {
    const id = await this.oldestParkedId(pipelineName, key);
    return id === undefined ? undefined : this.get(id);
  }

  async isKeyParked(pipelineName: string, key: string): Promise<boolean> {
    return (await this.oldestParkedId(pipelineName, key)) !== undefined;
  }

  async list(options: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_LIST_LIMIT));
    const status = options.status ?? 'parked';
    let part0s: Item[];
    if (options.pipelineName !== undefined) {
      part0s = await this.queryIndex(DEAD_LETTERS_BY_PIPELINE, A.pipelineName, options.pipelineName, { key: options.key, status: status === 'all' ? undefined : status }, limit);
    } else {
      const statuses = status === 'all' ? STATUSES : [status];
      const perStatus = await Promise.all(statuses.map((one) => this.queryIndex(DEAD_LETTERS_BY_STATUS, A.status, one, { key: options.key }, limit)));
      part0s = perStatus.flat().sort((a, b) => Number(a[A.id]?.N) - Number(b[A.id]?.N)).slice(0, limit);
    }
    return Promise.all(part0s.map((part0) => this.withAllParts(part0)));
  }

  async get(id: number): Promise<DeadLetter> {
    const items = await this.queryAll('get', { KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': A.pk }, ExpressionAttributeValues: { ':pk': { S: entryPk(id) } }, ConsistentRead: true });
    const part0 = items[0];
    if (part0 === undefined || part0[A.sk]?.N !== '0') throw new DeadLetterNotFoundError(id);
    return deadLetterOf(part0, items.map((item) => item[A.bytes]?.B ?? new Uint8Array()));
  }

  async resolve(id: number, status: 'redriven' | 'skipped'): Promise<void> {
    const part0 = await this.readPart0(id);
    if (part0 === undefined) throw new DeadLetterNotFoundError(id);
    const current = part0[A.status]?.S ?? 'parked';
    if (current !== 'parked') throw new DeadLetterNotParkedError(id, current);
    const resolved = await this.conditional('resolve', () =>
      this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { [A.pk]: { S: entryPk(id) }, [A.sk]: { N: '0' } },
                UpdateExpression: 'SET #status = :status, #resolvedAt = :resolvedAt',
                ConditionExpression: '#status = :parked',
                ExpressionAttributeNames: { '#status': A.status, '#resolvedAt': A.resolvedAt },
                ExpressionAttributeValues: { ':status': { S: status }, ':resolvedAt': { S: this.clock().toISOString() }, ':parked': { S: 'parked' } },
              },
            },
            { Delete: { TableName: this.tableName, Key: { [A.pk]: { S: parkedPk(part0[A.pipelineName]?.S ?? '', part0[A.key]?.S ?? '') }, [A.sk]: { N: String(id) } } } },
          ],
        }),
      ),
    );
    // Resolved by someone else between the read and the transaction.
    if (!resolved) throw new DeadLetterNotParkedError(id, (await this.readPart0(id))?.[A.status]?.S ?? 'resolved');
  }

  async recordFailure(id: number, errorCode: string, errorMessage: string, attempts: number): Promise<void> {
    let old: Item | undefined;
    const recorded = await this.conditional(
      'recordFailure',
      () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [A.pk]: { S: entryPk(id) }, [A.sk]: { N: '0' } },
            UpdateExpression: 'SET #code = :code, #message = :message, #attempts = :attempts',
            ConditionExpression: '#status = :parked',
            ExpressionAttributeNames: { '#code': A.errorCode, '#message': A.errorMessage, '#attempts': A.attempts, '#status': A.status },
            ExpressionAttributeValues: { ':code': { S: errorCode }, ':message': { S: errorMessage }, ':attempts': { N: String(attempts) }, ':parked': { S: 'parked' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (error) => {
        old = (error as { Item?: Item }).Item;
      },
    );
    if (recorded) return;
    if (old === undefined) throw new DeadLetterNotFoundError(id);
    throw new DeadLetterNotParkedError(id, old[A.status]?.S ?? 'resolved');
  }

  private refuseIfTooLarge(draft: DeadLetter): void {
    // The largest id the counter could return costs the same bytes as any other (numbers count as 21).
    const items = entryItems(draft, this.maxItemBytes);
    const bytes = items === undefined ? Number.POSITIVE_INFINITY : items.reduce((sum, item) => sum + itemBytes(item), 0);
    const maxBytes = DYNAMODB_MAX_TRANSACTION_BYTES - TRANSACTION_SLACK_BYTES;
    if (items === undefined || bytes > maxBytes || items.length + 1 > DYNAMODB_MAX_TRANSACTION_ITEMS) {
      throw new DeadLetterTooLargeError(draft.pipelineName, draft.key, Number.isFinite(bytes) ? bytes : draft.record.length + Buffer.byteLength(draft.errorMessage), maxBytes);
    }
  }

  private async nextId(): Promise<number> {
    const output = await this.send('park', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [A.pk]: { S: 'counter' }, [A.sk]: { N: '0' } },
          UpdateExpression: 'ADD #lastId :one',
          ExpressionAttributeNames: { '#lastId': A.lastId },
          ExpressionAttributeValues: { ':one': { N: '1' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(output.Attributes?.[A.lastId]?.N);
  }

  private async oldestParkedId(pipelineName: string, key: string): Promise<number | undefined> {
    const output = await this.send('oldestParked', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': A.pk },
          ExpressionAttributeValues: { ':pk': { S: parkedPk(pipelineName, key) } },
          ConsistentRead: true,
          Limit: 1,
        }),
      ),
    );
    const marker = output.Items?.[0];
    return marker === undefined ? undefined : Number(marker[A.sk]?.N);
  }

  /** Up to `limit` part-0 items of one GSI partition, in id order, after the filters. */
  private async queryIndex(indexName: string, hashName: string, hashValue: string, filters: { key?: string; status?: string }, limit: number): Promise<Item[]> {
    const names: Record<string, string> = { '#hash': hashName };
    const values: Record<string, AttributeValue> = { ':hash': { S: hashValue } };
    const conditions: string[] = [];
    if (filters.key !== undefined) {
      names['#key'] = A.key;
      values[':key'] = { S: filters.key };
      conditions.push('#key = :key');
    }
    if (filters.status !== undefined) {
      names['#status'] = A.status;
      values[':status'] = { S: filters.status };
      conditions.push('#status = :status');
    }
    return this.queryAll('list', {
      IndexName: indexName,
      KeyConditionExpression: '#hash = :hash',
      FilterExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: limit,
    }, limit);
  }

  /** Every item of a Query, page after page (at most `limit`). */
  private async queryAll(operation: string, input: Omit<QueryCommandInput, 'TableName'>, limit = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const output = await this.send(operation, () => this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey })));
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    return items.slice(0, limit);
  }

  /** The entry of a part-0 item read from a GSI, with the bytes of its other parts if it has any. */
  private async withAllParts(part0: Item): Promise<DeadLetter> {
    if (partsOf(part0) === 1) return deadLetterOf(part0, [part0[A.bytes]?.B ?? new Uint8Array()]);
    const id = Number(part0[A.id]?.N);
    const rest = await this.queryAll('list', {
      KeyConditionExpression: '#pk = :pk AND #sk > :zero',
      ExpressionAttributeNames: { '#pk': A.pk, '#sk': A.sk },
      ExpressionAttributeValues: { ':pk': { S: entryPk(id) }, ':zero': { N: '0' } },
      ConsistentRead: true,
    });
    return deadLetterOf(part0, [part0, ...rest].map((item) => item[A.bytes]?.B ?? new Uint8Array()));
  }

  private async readPart0(id: number): Promise<Item | undefined> {
    const output = await this.send('get', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [A.pk]: { S: entryPk(id) }, [A.sk]: { N: '0' } }, ConsistentRead: true })),
    );
    return output.Item;
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(`DynamoDB dead-letter ${operation}`, call, this.retry);
    } catch (error) {
      throw new DeadLetterStoreUnavailableError(operation, error);
    }
  }

  /** True when applied, false when its condition failed (a single item's, or a transaction's). */
  private async conditional(operation: string, call: () => Promise<unknown>, onConditionFailed?: (error: unknown) => void): Promise<boolean> {
    try {
      await callWithRetry(`DynamoDB dead-letter ${operation}`, call, this.retry);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) {
        onConditionFailed?.(error);
        return false;
      }
      throw new DeadLetterStoreUnavailableError(operation, error);
    }
  }
}

