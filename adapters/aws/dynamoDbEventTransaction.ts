import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { EventItem } from './dynamoDbEventItems';
import { EVENT_ATTRIBUTES as A } from './tables/eventsTable';

/** Where each part of an append sits in its TransactItems, to read CancellationReasons by index. */
export interface AppendTransaction {
  items: TransactWriteItem[];
  /** Indexes of the version checks and event puts: a failed condition there is a conflict. */
  versionIndexes: ReadonlySet<number>;
  /** Index of the idempotency completion, if any: a failed condition there is a lost claim. */
  completionIndex?: number;
}

/** What the TransactItems of one append are made of. */
export interface AppendTransactionParts {
  tableName: string;
  aggregateId: string;
  expectedVersion: number;
  events: readonly EventItem[];
  completion?: TransactWriteItem;
}

/**
 * The TransactItems of an append, in this order:
 * 1. when expectedVersion > 0, a ConditionCheck that version `expectedVersion` exists: without
 *    it an append ahead of the stream (expected 3 on a stream at 1) would leave a gap, since
 *    `attribute_not_exists` on versions 4.. would hold;
 * 2. one Put per event, each on condition that its (aggregateId, version) is new: a stream
 *    already past expectedVersion fails the first of them;
 * 3. (only for an append of no events) a ConditionCheck that version expectedVersion + 1 is new;
 * 4. the idempotency completion, last.
 * Together: the transaction commits only if the stream is at exactly expectedVersion.
 */
export function appendTransaction(parts: AppendTransactionParts): AppendTransaction {
  const { tableName, aggregateId, expectedVersion } = parts;
  const items: TransactWriteItem[] = [];
  const key = (version: number): EventItem => ({ [A.aggregateId]: { S: aggregateId }, [A.version]: { N: String(version) } });
  const names = { '#version': A.version };
  if (expectedVersion > 0) {
    items.push({ ConditionCheck: { TableName: tableName, Key: key(expectedVersion), ConditionExpression: 'attribute_exists(#version)', ExpressionAttributeNames: names } });
  }
  for (const item of parts.events) {
    items.push({ Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(#version)', ExpressionAttributeNames: names } });
  }
  if (parts.events.length === 0) {
    items.push({ ConditionCheck: { TableName: tableName, Key: key(expectedVersion + 1), ConditionExpression: 'attribute_not_exists(#version)', ExpressionAttributeNames: names } });
  }
  const versionIndexes = new Set(items.map((_item, index) => index));
  if (!parts.completion) return { items, versionIndexes };
  items.push(parts.completion);
  return { items, versionIndexes, completionIndex: items.length - 1 };
}

/** How many TransactItems an append needs besides its events (see {@link appendTransaction}). */
export function appendOverheadItems(expectedVersion: number, events: number, idempotent: boolean): number {
  return (expectedVersion > 0 ? 1 : 0) + (events === 0 ? 1 : 0) + (idempotent ? 1 : 0);
}

/** What a TransactionCanceledException says about an append. */
export type CancellationVerdict = { kind: 'conflict' } | { kind: 'claim-lost' } | { kind: 'transient' } | { kind: 'other' };

/** Cancellation codes that say "try again", not "your condition is false". */
const TRANSIENT_CODES = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'None']);

/**
 * Reads a failed TransactWriteItems: undefined when it is not a cancellation; a failed
 * condition on a version item wins (a real conflict, never retried), then one on the
 * completion; a cancellation whose every reason is transient (another transaction on the same
 * items, throttling) may be retried; anything else (ValidationError, a full item collection)
 * may not.
 */
export function cancellationVerdict(error: unknown, transaction: AppendTransaction): CancellationVerdict | undefined {
  const candidate = error as { name?: unknown; CancellationReasons?: readonly { Code?: string }[] } | null;
  if (candidate?.name !== 'TransactionCanceledException') return undefined;
  const codes = (candidate.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  const failedAt = (index: number): boolean => codes[index] === 'ConditionalCheckFailed';
  if ([...transaction.versionIndexes].some(failedAt)) return { kind: 'conflict' };
  if (transaction.completionIndex !== undefined && failedAt(transaction.completionIndex)) return { kind: 'claim-lost' };
  if (codes.length > 0 && codes.every((code) => TRANSIENT_CODES.has(code)) && codes.some((code) => code !== 'None')) return { kind: 'transient' };
  return { kind: 'other' };
}

/**
 * A cancellation worth retrying, rethrown for `callWithRetry`: `$retryable` is the SDK's own
 * mark of a retryable error, which `isTransientAwsError` honours. `cause` is the SDK error.
 */
export class RetryableCancellation extends Error {
  readonly $retryable = { throttling: true };

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'TransactionCanceledException';
  }
}
