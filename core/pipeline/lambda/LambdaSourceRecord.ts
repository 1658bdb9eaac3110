import type { SourceRecord } from '../../streams/RecordSource';

/**
 * One record of a Lambda batch event, as the Lambda runner processes it.
 *
 * `position` is the record's place in its batch (1, 2, …): Kinesis and DynamoDB Streams sequence
 * numbers are decimal strings of up to 128 bits that a `number` cannot hold, so they are kept
 * exact, as strings, in `sequenceNumber`, and never go through `Number`.
 */
export interface LambdaSourceRecord extends SourceRecord {
  /** What `batchItemFailures` names: the sequence number (streams) or the message id (SQS). */
  itemIdentifier: string;
  /** The ordered log the record belongs to: a Kinesis shard, a DynamoDB stream, an SQS queue. */
  shard: string;
  /** Exact sequence number within `shard` (streams only). */
  sequenceNumber?: string;
  /** Where the record came from, for logs and dead letters (`kinesis shardId-… sequence 4959…`). */
  origin: string;
  /** When the source received the record (ms since the epoch), for the lag metric. */
  arrivedAtMs?: number;
}

/**
 * How unfinished records are reported back to Lambda.
 * - `lowest-per-shard` (Kinesis, DynamoDB Streams): Lambda checkpoints before the lowest reported
 *   sequence number and retries from it, so one item per shard is reported, and records after an
 *   unfinished one in its shard are not started (they will be delivered again anyway).
 * - `per-message` (SQS): every unfinished message is reported; later messages of its key are left
 *   unfinished too, so a FIFO group keeps its order.
 */
export type FailureReporting = 'lowest-per-shard' | 'per-message';

/** What a Lambda runner needs of the invocation's context (`aws-lambda`'s `Context` has it). */
export interface LambdaInvocation {
  getRemainingTimeInMillis(): number;
  /** For the per-invocation log line. */
  awsRequestId?: string;
}
