import { BatchWriteItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Principal } from '../../core/auth/Principal';
import { NexusError } from '../../core/errors/NexusError';
import { backoffDelayMs } from '../../core/pipeline/retryWithBackoff';
import { AWS_RETRY_DEFAULTS, callWithRetry, describeAwsError } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { CONNECTION_ATTRIBUTES as A, CONNECTION_ENTRY, SUBSCRIBERS_BY_TOPIC, SUBSCRIPTION_ENTRY_PREFIX, subscriptionTopic } from './tables/connectionsTable';
import { isConditionFailure } from './dynamoDbConditionFailure';

/** The connections table could not be read or written (after retries of transient faults). */
export const CONNECTION_STORE_UNAVAILABLE = 'CONNECTION_STORE_UNAVAILABLE';

/** A DynamoDB failure of the connections table, with the SDK error as `cause`. */
export class ConnectionStoreUnavailableError extends NexusError {
  constructor(operation: string, connectionId: string | undefined, cause: unknown) {
    super(CONNECTION_STORE_UNAVAILABLE, `the WebSocket connections table failed to ${operation}${connectionId === undefined ? '' : ` (connection ${connectionId})`}: ${describeAwsError(cause)}`, {
      cause,
      details: { operation, ...(connectionId === undefined ? {} : { connectionId }) },
    });
  }
}

/** A connection as `$connect` stored it. */
export interface StoredConnection {
  connectionId: string;
  principal: Principal;
  connectedAtMs: number;
  /** When the token it was admitted with expires (epoch ms); absent for connections stored without one. */
  tokenExpiresAtMs?: number;
}

/** An authorized subscription of a connection (the fields of core/notifications' NotificationSubscription). */
export interface StoredSubscription {
  /** The client's id for it, unique on its connection. */
  subscriptionId: string;
  resourceType: string;
  /** Absent for a subscription to every document of the type. */
  id?: string;
  /** Under a grant on own documents only: the subscriber's id, the owner every delivered change must have. */
  ownerOnly?: string;
}

/** Options of {@link DynamoDbConnectionStore}. */
export interface DynamoDbConnectionStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `CONNECTIONS_TABLE`. */
  tableName: string;
  /**
   * How long the items of a connection live without a `$disconnect` (DynamoDB TTL): API Gateway
   * closes every connection after 2 hours, plus a margin. @defaultValue 10800
   */
  ttlSeconds?: number;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

/** Defaults of {@link DynamoDbConnectionStoreOptions}. */
export const CONNECTION_STORE_DEFAULTS = {
  /** @defaultValue 10800 (API Gateway's 2-hour connection limit plus an hour) */
  ttlSeconds: 10_800,
} as const;

/** A subscription found by its topic, with its connection. */
export interface Subscriber extends StoredSubscription {
  connectionId: string;
}

/** The connection item is gone: nothing of it may be written again. */
export const CONNECTION_GONE = 'gone';

/** What `claimSends` answers when the connection's token has expired: it gets nothing more. */
export const CONNECTION_TOKEN_EXPIRED = 'token-expired';

/** Deletes of one BatchWriteItem (DynamoDB's limit). */
const BATCH_DELETES = 25;
/** Rounds of the budget's optimistic update before giving up to a concurrent sender. */
const BUDGET_ROUNDS = 8;

/**
 * The WebSocket connections of the AWS backend and their subscriptions, in the table of
 * `CONNECTIONS_TABLE` (see its TSDoc for the key schema): written by the `$connect`,
 * `$disconnect` and message handlers, read by the notification publisher.
 *
 * Guarantees: a subscription is written only while its connection item exists (a transaction
 * with a ConditionCheck), so a subscribe racing a `$disconnect` leaves nothing behind; every
 * item expires by TTL in any case. {@link claimSends} is atomic across every process sending to
 * the connection.
 *
 * Errors: transient faults are retried (`callWithRetry`), then, like every other DynamoDB
 * failure, `CONNECTION_STORE_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const connections = new DynamoDbConnectionStore({ client, tableName: 'nexus-prod-connections' });
 * await connections.connect('L0SM9cOFvHcCIhw=', principal, Date.now());
 */
export class DynamoDbConnectionStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly retry: AwsRetryOptions;

  constructor(options: DynamoDbConnectionStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? CONNECTION_STORE_DEFAULTS.ttlSeconds;
    this.retry = options.retry ?? {};
    if (!(Number.isInteger(this.ttlSeconds) && this.ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be a positive integer; got ${this.ttlSeconds}`);
  }

  /** Stores a connection, the principal its token established and when that token expires. */
  async connect(connectionId: string, principal: Principal, nowMs: number, tokenExpiresAtMs?: number): Promise<void> {
    const item = {
      ...this.key(connectionId, CONNECTION_ENTRY),
      [A.principal]: { S: JSON.stringify({ id: principal.id, roles: principal.roles, clientId: principal.clientId }) },
      [A.connectedAtMs]: { N: String(nowMs) },
      ...(tokenExpiresAtMs === undefined ? {} : { [A.tokenExpiresAtMs]: { N: String(tokenExpiresAtMs) } }),
      [A.ttl]: { N: String(this.expiresAt(nowMs)) },
    };
    await this.call('store a connection', connectionId, () => this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item })));
  }

  /** The connection, or undefined when it is not (or no longer) stored. */
  async connection(connectionId: string): Promise<StoredConnection | undefined> {
    const output = await this.call('read a connection', connectionId, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(connectionId, CONNECTION_ENTRY), ConsistentRead: true })),
    );
    const item = output.Item;
    if (item === undefined) return undefined;
    const principal = JSON.parse(item[A.principal]?.S ?? '{}') as Principal;
    const tokenExpiresAtMs = item[A.tokenExpiresAtMs]?.N;
    return { connectionId, principal, connectedAtMs: Number(item[A.connectedAtMs]?.N ?? 0), ...(tokenExpiresAtMs === undefined ? {} : { tokenExpiresAtMs: Number(tokenExpiresAtMs) }) };
  }

  /** Deletes the connection and every subscription of it; a connection already gone is fine. */
  async disconnect(connectionId: string): Promise<void> {
    const entries = await this.entriesOf(connectionId);
    const retry = { ...AWS_RETRY_DEFAULTS, ...this.retry };
    for (let start = 0; start < entries.length; start += BATCH_DELETES) {
      let requests: WriteRequest[] = entries.slice(start, start + BATCH_DELETES).map((entry) => ({ DeleteRequest: { Key: this.key(connectionId, entry) } }));
      // Unprocessed items are DynamoDB's throttling of a batch: sent again with the store's retry
      // backoff (as SqsBatchEntries does with failed entries) until none is left.
      for (let attempt = 1; ; attempt += 1) {
        const output = await this.call('delete a connection', connectionId, () => this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } })));
        requests = output.UnprocessedItems?.[this.tableName] ?? [];
        if (requests.length === 0) break;
        if (attempt >= retry.maxAttempts) throw new ConnectionStoreUnavailableError('delete a connection', connectionId, new Error(`${requests.length} items stayed unprocessed after ${attempt} attempts`));
        const delayMs = backoffDelayMs(attempt, retry.initialBackoffMs, retry.maxBackoffMs, retry.random);
        retry.onRetry?.(new Error(`${requests.length} items unprocessed`), attempt, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * Stores a subscription of a stored connection; resolves false (writing nothing) when the
   * connection is gone. A subscription id used again replaces its subscription.
   */
  async subscribe(connectionId: string, subscription: StoredSubscription, nowMs: number): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      ...this.key(connectionId, SUBSCRIPTION_ENTRY_PREFIX + subscription.subscriptionId),
      [A.topic]: { S: subscriptionTopic(subscription) },
      [A.resourceType]: { S: subscription.resourceType },
      ...(subscription.id === undefined ? {} : { [A.documentId]: { S: subscription.id } }),
      ...(subscription.ownerOnly === undefined ? {} : { [A.ownerOnly]: { S: subscription.ownerOnly } }),
      [A.ttl]: { N: String(this.expiresAt(nowMs)) },
    };
    try {
      await callWithRetry('DynamoDB subscribe', () =>
        this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { ConditionCheck: { TableName: this.tableName, Key: this.key(connectionId, CONNECTION_ENTRY), ConditionExpression: 'attribute_exists(#entry)', ExpressionAttributeNames: { '#entry': A.entry } } },
              { Put: { TableName: this.tableName, Item: item } },
            ],
          }),
        ), this.retry);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new ConnectionStoreUnavailableError('store a subscription', connectionId, error);
    }
  }

  /** Deletes one subscription of a connection; resolves false when there was none. */
  async unsubscribe(connectionId: string, subscriptionId: string): Promise<boolean> {
    const output = await this.call('delete a subscription', connectionId, () =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(connectionId, SUBSCRIPTION_ENTRY_PREFIX + subscriptionId), ReturnValues: 'ALL_OLD' })),
    );
    return output.Attributes !== undefined;
  }

  /** The subscribers of each of `topics` (through the sparse index, so eventually consistent). */
  async subscribersOf(topics: readonly string[]): Promise<Map<string, Subscriber[]>> {
    const found = new Map<string, Subscriber[]>();
    await Promise.all(
      [...new Set(topics)].map(async (topic) => {
        const subscribers: Subscriber[] = [];
        let start: Record<string, AttributeValue> | undefined;
        do {
          const output = await this.call('find subscribers', undefined, () =>
            this.client.send(
              new QueryCommand({
                TableName: this.tableName,
                IndexName: SUBSCRIBERS_BY_TOPIC,
                KeyConditionExpression: '#topic = :topic',
                ExpressionAttributeNames: { '#topic': A.topic },
                ExpressionAttributeValues: { ':topic': { S: topic } },
                ...(start === undefined ? {} : { ExclusiveStartKey: start }),
              }),
            ),
          );
          for (const item of output.Items ?? []) subscribers.push(subscriberOf(item));
          start = output.LastEvaluatedKey;
        } while (start !== undefined);
        found.set(topic, subscribers);
      }),
    );
    return found;
  }

  /**
   * Takes up to `wanted` sends from the connection's budget of `perSecond` frames in the epoch
   * second of `nowMs`, shared by every process sending to it: resolves how many it may send now
   * (0 when this second's budget is spent), {@link CONNECTION_TOKEN_EXPIRED} when the token the
   * connection was admitted with has expired, or {@link CONNECTION_GONE} when the connection item
   * no longer exists. An optimistic read-then-conditional-update, so concurrent senders never
   * take more than `perSecond` in one second between them.
   */
  async claimSends(connectionId: string, wanted: number, perSecond: number, nowMs: number): Promise<number | typeof CONNECTION_GONE | typeof CONNECTION_TOKEN_EXPIRED> {
    const window = Math.floor(nowMs / 1000);
    for (let round = 0; round < BUDGET_ROUNDS; round += 1) {
      const output = await this.call('read a send budget', connectionId, () =>
        this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: this.key(connectionId, CONNECTION_ENTRY),
            ConsistentRead: true,
            ProjectionExpression: '#window, #used, #entry, #expires',
            ExpressionAttributeNames: { '#window': A.budgetWindow, '#used': A.budgetUsed, '#entry': A.entry, '#expires': A.tokenExpiresAtMs },
          }),
        ),
      );
      const item = output.Item;
      if (item === undefined) return CONNECTION_GONE;
      const expiresAtMs = item[A.tokenExpiresAtMs]?.N;
      if (expiresAtMs !== undefined && Number(expiresAtMs) <= nowMs) return CONNECTION_TOKEN_EXPIRED;
      const storedWindow = item[A.budgetWindow]?.N;
      const storedUsed = item[A.budgetUsed]?.N ?? '0';
      const used = storedWindow === String(window) ? Number(storedUsed) : 0;
      const granted = Math.max(0, Math.min(wanted, perSecond - used));
      if (granted === 0) return 0;
      // The condition is the state just read: a concurrent claim in between fails it, and we read again.
      const condition = storedWindow === undefined ? 'attribute_exists(#entry) AND attribute_not_exists(#window)' : 'attribute_exists(#entry) AND #window = :storedWindow AND #used = :storedUsed';
      try {
        await callWithRetry('DynamoDB claim sends', () =>
          this.client.send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: this.key(connectionId, CONNECTION_ENTRY),
              UpdateExpression: 'SET #window = :window, #used = :used',
              ConditionExpression: condition,
              ExpressionAttributeNames: { '#window': A.budgetWindow, '#used': A.budgetUsed, '#entry': A.entry },
              ExpressionAttributeValues: {
                ':window': { N: String(window) },
                ':used': { N: String(used + granted) },
                ...(storedWindow === undefined ? {} : { ':storedWindow': { N: storedWindow }, ':storedUsed': { N: storedUsed } }),
              },
            }),
          ), this.retry);
        return granted;
      } catch (error) {
        if (!isConditionFailure(error)) throw new ConnectionStoreUnavailableError('claim sends', connectionId, error);
      }
    }
    // Lost every round to concurrent senders: their frames used the budget, so this one waits.
    return 0;
  }

  private async entriesOf(connectionId: string): Promise<string[]> {
    const entries: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.call('list a connection', connectionId, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#id = :id',
            ProjectionExpression: '#entry',
            ExpressionAttributeNames: { '#id': A.connectionId, '#entry': A.entry },
            ExpressionAttributeValues: { ':id': { S: connectionId } },
            ConsistentRead: true,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        ),
      );
      for (const item of output.Items ?? []) entries.push(item[A.entry]?.S ?? '');
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    return entries;
  }

  private key(connectionId: string, entry: string): Record<string, AttributeValue> {
    return { [A.connectionId]: { S: connectionId }, [A.entry]: { S: entry } };
  }

  private expiresAt(nowMs: number): number {
    return Math.ceil(nowMs / 1000) + this.ttlSeconds;
  }

  private async call<T>(operation: string, connectionId: string | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(`DynamoDB ${operation}`, send, this.retry);
    } catch (error) {
      throw new ConnectionStoreUnavailableError(operation, connectionId, error);
    }
  }
}

function subscriberOf(item: Record<string, AttributeValue>): Subscriber {
  const id = item[A.documentId]?.S;
  const ownerOnly = item[A.ownerOnly]?.S;
  return {
    connectionId: item[A.connectionId]?.S ?? '',
    // The index projects the table's keys: the entry names the subscription.
    subscriptionId: (item[A.entry]?.S ?? '').slice(SUBSCRIPTION_ENTRY_PREFIX.length),
    resourceType: item[A.resourceType]?.S ?? '',
    ...(id === undefined ? {} : { id }),
    ...(ownerOnly === undefined ? {} : { ownerOnly }),
  };
}

