import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyClaimLostError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, IdempotencyStoreUnavailableError } from '../../core/idempotency/IdempotencyErrors';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, IdempotentRequest, StoredResponse } from '../../core/idempotency/IdempotencyStore';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { idempotencyCompletionUpdate, idempotencyItemKey } from './dynamoDbIdempotencyItems';
import { IDEMPOTENCY_ATTRIBUTES as A } from './tables/idempotencyTable';

/** Options of {@link DynamoDbIdempotencyStore}. */
export interface DynamoDbIdempotencyStoreOptions {
  /** A client built with `maxAttempts: 1` (this store retries transient faults itself). */
  client: DynamoDBClient;
  /** A table created from `IDEMPOTENCY_TABLE`. */
  tableName: string;
  /** How long a key is remembered, counted from its claim. @defaultValue 86400 (24 hours) */
  ttlSeconds?: number;
  /** How long an in-progress claim holds its key (see `SqliteIdempotencyStoreOptions.leaseMs`). @defaultValue 10000 */
  leaseMs?: number;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
  /** Source of claim tokens. @defaultValue crypto.randomUUID */
  newToken?: () => string;
  /** Retries of transient faults. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
}

const DEFAULTS = {
  ttlSeconds: 86_400,
  leaseMs: 10_000,
  clock: (): Date => new Date(),
  newToken: (): string => crypto.randomUUID(),
  retry: {} as AwsRetryOptions,
};

/** Claims whose item changed between the failed put and the read are tried again this often. */
const CLAIM_ROUNDS = 3;

/**
 * Idempotency keys in a DynamoDB table (`IDEMPOTENCY_TABLE`), one item per client and key.
 *
 * A claim is one conditional PutItem: it succeeds on a new key, an expired one, or an in-progress
 * one whose lease ran out with the same fingerprint; when it fails, the old item (returned with
 * the failed condition) says why. `complete` and the event store's completion
 * (`idempotencyCompletionItem`, inside the append's TransactWriteItems) are the same update,
 * conditioned on the claim's token. Expired keys count as absent at once: DynamoDB TTL deletes
 * them, but lazily (up to days late), so every condition and read compares `expiresAtMs` with
 * the clock instead of trusting the item's presence.
 *
 * Errors: see the port; a transient fault is retried (`callWithRetry`), then, like every other
 * DynamoDB failure, `IDEMPOTENCY_STORE_UNAVAILABLE` with the SDK error as `cause`.
 *
 * @example
 * const idempotency = new DynamoDbIdempotencyStore({ client, tableName: 'nexus-prod-idempotency' });
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly settings: typeof DEFAULTS;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.settings = {
      ttlSeconds: options.ttlSeconds ?? DEFAULTS.ttlSeconds,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
      clock: options.clock ?? DEFAULTS.clock,
      newToken: options.newToken ?? DEFAULTS.newToken,
      retry: options.retry ?? DEFAULTS.retry,
    };
    for (const name of ['ttlSeconds', 'leaseMs'] as const) {
      const value = this.settings[name];
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number; got ${value}`);
    }
  }

  async claim(request: IdempotentRequest): Promise<ClaimOutcome> {
    const now = this.settings.clock().getTime();
    for (let round = 1; ; round += 1) {
      const token = this.settings.newToken();
      const old = await this.putClaim(request, token, now);
      if (old === null) return { outcome: 'claimed', claim: { ...request, token } };
      const item = old ?? (await this.read(request));
      const verdict = item === undefined ? undefined : verdictOn(item, request, now);
      // The item went away (TTL) or lapsed between the put and the read: claim again.
      if (verdict !== undefined) return verdict;
      if (round >= CLAIM_ROUNDS) throw new IdempotencyStoreUnavailableError('claim', new Error(`key ${request.key} kept changing under the claim`));
    }
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    const applied = await this.conditional('complete', () => this.client.send(new UpdateItemCommand(idempotencyCompletionUpdate(this.tableName, claim, response))));
    if (!applied) throw new IdempotencyClaimLostError(claim);
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    // A claim that lost its key (or already completed it) releases nothing: the condition fails quietly.
    await this.conditional('release', () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: idempotencyItemKey(claim),
          ConditionExpression: '#token = :token AND attribute_not_exists(#status)',
          ExpressionAttributeNames: { '#token': A.token, '#status': A.responseStatus },
          ExpressionAttributeValues: { ':token': { S: claim.token } },
        }),
      ),
    );
  }

  /** null when claimed; else the item that failed the condition (undefined when DynamoDB did not return it). */
  private async putClaim(request: IdempotentRequest, token: string, now: number): Promise<Record<string, AttributeValue> | undefined | null> {
    const expiresAtMs = now + this.settings.ttlSeconds * 1000;
    let old: Record<string, AttributeValue> | undefined;
    const applied = await this.conditional(
      'claim',
      () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...idempotencyItemKey(request),
              [A.fingerprint]: { S: request.fingerprint },
              [A.token]: { S: token },
              [A.lockedUntilMs]: { N: String(now + this.settings.leaseMs) },
              [A.expiresAtMs]: { N: String(expiresAtMs) },
              [A.ttl]: { N: String(Math.ceil(expiresAtMs / 1000)) },
            },
            // New, expired (TTL deletes late), or abandoned by a crashed owner of the same request.
            ConditionExpression: 'attribute_not_exists(#client) OR #expires <= :now OR (attribute_not_exists(#status) AND #locked <= :now AND #fp = :fp)',
            ExpressionAttributeNames: { '#client': A.clientId, '#expires': A.expiresAtMs, '#status': A.responseStatus, '#locked': A.lockedUntilMs, '#fp': A.fingerprint },
            ExpressionAttributeValues: { ':now': { N: String(now) }, ':fp': { S: request.fingerprint } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (error) => {
        old = (error as { Item?: Record<string, AttributeValue> }).Item;
      },
    );
    return applied ? null : old;
  }

  private async read(scope: IdempotentRequest): Promise<Record<string, AttributeValue> | undefined> {
    const output = await this.conditional('claim', () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: idempotencyItemKey(scope), ConsistentRead: true })));
    return output === false ? undefined : output.Item;
  }

  /** The call's output, or false when its condition failed; any other failure is STORE_UNAVAILABLE. */
  private async conditional<T>(operation: string, send: () => Promise<T>, onConditionFailed?: (error: unknown) => void): Promise<T | false> {
    try {
      return await callWithRetry(`DynamoDB ${operation}`, send, this.settings.retry);
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
        onConditionFailed?.(error);
        return false;
      }
      throw new IdempotencyStoreUnavailableError(operation, error);
    }
  }
}

/** Why a claim on an existing item failed; undefined when the item is claimable after all. */
function verdictOn(item: Record<string, AttributeValue>, request: IdempotentRequest, now: number): ClaimOutcome | undefined {
  if (Number(item[A.expiresAtMs]?.N) <= now) return undefined;
  if (item[A.fingerprint]?.S !== request.fingerprint) throw new IdempotencyKeyReusedError(request);
  const status = item[A.responseStatus]?.N;
  if (status !== undefined) {
    return { outcome: 'replay', response: { status: Number(status), contentType: item[A.responseType]?.S ?? 'application/json', body: item[A.responseBody]?.S ?? '' } };
  }
  const lockedUntil = Number(item[A.lockedUntilMs]?.N);
  if (lockedUntil <= now) return undefined;
  throw new IdempotencyKeyInUseError(request, lockedUntil - now);
}
