import { compareSequenceNumbers } from './sequenceNumbers';
import type { FailureReporting, LambdaSourceRecord } from './LambdaSourceRecord';

/** One entry of a partial batch response (the same shape for Kinesis, DynamoDB Streams and SQS). */
export interface BatchItemFailure {
  itemIdentifier: string;
}

/**
 * The `batchItemFailures` for the records an invocation left unfinished, in batch order:
 * per shard the lowest sequence number (`lowest-per-shard`), or every message (`per-message`).
 */
export function batchItemFailures(unfinished: Iterable<LambdaSourceRecord>, reporting: FailureReporting): BatchItemFailure[] {
  const sorted = [...unfinished].sort((a, b) => a.position - b.position);
  if (reporting === 'per-message') return sorted.map((record) => ({ itemIdentifier: record.itemIdentifier }));
  const lowest = new Map<string, LambdaSourceRecord>();
  for (const record of sorted) {
    const current = lowest.get(record.shard);
    if (!current || compareSequenceNumbers(record.sequenceNumber ?? '0', current.sequenceNumber ?? '0') < 0) lowest.set(record.shard, record);
  }
  return [...lowest.values()].sort((a, b) => a.position - b.position).map((record) => ({ itemIdentifier: record.itemIdentifier }));
}
