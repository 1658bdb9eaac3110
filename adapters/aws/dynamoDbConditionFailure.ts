/**
 * A failed DynamoDB condition: of one item (ConditionalCheckFailedException), or of an item in a
 * cancelled transaction (TransactionCanceledException with a ConditionalCheckFailed reason; a
 * transaction conflict is not one).
 */
export function isConditionFailure(error: unknown): boolean {
  const candidate = error as { name?: unknown; CancellationReasons?: { Code?: string }[] } | null;
  if (candidate?.name === 'ConditionalCheckFailedException') return true;
  return candidate?.name === 'TransactionCanceledException' && (candidate.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}
