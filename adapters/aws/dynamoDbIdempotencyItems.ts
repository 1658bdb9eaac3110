import type { AttributeValue, TransactWriteItem, Update } from '@aws-sdk/client-dynamodb';
import type { IdempotencyClaim, IdempotencyCompletion, IdempotencyScope, StoredResponse } from '../../core/idempotency/IdempotencyStore';
import { IDEMPOTENCY_ATTRIBUTES as A } from './tables/idempotencyTable';

/** The primary key of a (client, key) item in the {@link IDEMPOTENCY_TABLE}. */
export function idempotencyItemKey(scope: IdempotencyScope): Record<string, AttributeValue> {
  return { [A.clientId]: { S: scope.clientId }, [A.key]: { S: scope.key } };
}

/**
 * The conditional update that completes `claim` with `response`: it stores the response only
 * if the item is still in progress and held by this claim's token. Used by
 * `DynamoDbIdempotencyStore.complete` (as an UpdateItem) and, through
 * {@link idempotencyCompletionItem}, inside an append's TransactWriteItems.
 */
export function idempotencyCompletionUpdate(tableName: string, claim: IdempotencyClaim, response: StoredResponse): Update {
  return {
    TableName: tableName,
    Key: idempotencyItemKey(claim),
    UpdateExpression: 'SET #status = :status, #type = :type, #body = :body',
    ConditionExpression: '#token = :token AND attribute_not_exists(#status)',
    ExpressionAttributeNames: { '#status': A.responseStatus, '#type': A.responseType, '#body': A.responseBody, '#token': A.token },
    ExpressionAttributeValues: {
      ':status': { N: String(response.status) },
      ':type': { S: response.contentType },
      ':body': { S: response.body },
      ':token': { S: claim.token },
    },
  };
}

/**
 * The TransactWriteItem that completes an idempotency claim in the same transaction as an
 * append's events (the DynamoDB side of `AppendOptions.idempotency`). Pure: it builds the
 * response from `result` (what the append is about to write) and touches nothing.
 *
 * Guarantee: the transaction succeeds only if the claim still owns the key (same token, not
 * completed). If it does not (its lease ran out and a retry took the key over), DynamoDB cancels
 * the whole transaction with `TransactionCanceledException` whose `CancellationReasons[i].Code`
 * is `ConditionalCheckFailed` at this item's index `i`; the writer then throws
 * `IdempotencyClaimLostError(completion.claim)` (code `IDEMPOTENCY_CLAIM_LOST`) and no event is
 * written. Put it last in `TransactItems` so the events' indexes stay 0..n-1.
 *
 * @example
 * const items = [...eventPuts, idempotencyCompletionItem(idempotencyTable, options.idempotency, outcome)];
 * await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
 */
export function idempotencyCompletionItem<Result>(tableName: string, completion: IdempotencyCompletion<Result>, result: Result): TransactWriteItem {
  return { Update: idempotencyCompletionUpdate(tableName, completion.claim, completion.response(result)) };
}
