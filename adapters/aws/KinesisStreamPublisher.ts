import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { NexusError } from '../../core/errors/NexusError';
import { backoffDelayMs } from '../../core/pipeline/retryWithBackoff';
import type { OutgoingRecord, StreamPublisher } from '../../core/streams/RecordSource';
import { AWS_RETRY_DEFAULTS, callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';

/** Options of {@link KinesisStreamPublisher}. */
export interface KinesisStreamPublisherOptions {
  /** A client built with `maxAttempts: 1` (this publisher retries). */
  client: KinesisClient;
  /** Nexus stream name (e.g. `core`) -> Kinesis stream name or ARN. */
  streams: Readonly<Record<string, string>>;
  /** Retries of whole calls and of failed entries. @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
  /** Entries per PutRecords call; Kinesis allows 500. @defaultValue 500 */
  maxRecordsPerCall?: number;
  /** Bytes (data + partition keys) per call; Kinesis allows 5 MiB. @defaultValue 5242880 */
  maxBytesPerCall?: number;
}

/** Kinesis's limit on one record's data plus its partition key. */
export const KINESIS_MAX_RECORD_BYTES = 1_048_576;

export const STREAM_PUBLISH_ERRORS = {
  /** Some records could not be written after every retry. */
  PUBLISH_FAILED: 'STREAM_PUBLISH_FAILED',
  /** The logical stream has no Kinesis stream configured. */
  UNKNOWN_STREAM: 'UNKNOWN_STREAM',
  /** A record larger than Kinesis accepts. */
  RECORD_TOO_LARGE: 'STREAM_RECORD_TOO_LARGE',
} as const;

/** Records that Kinesis refused after every retry; nothing after them (per key) was written. */
export class StreamPublishFailedError extends NexusError {
  constructor(streamName: string, unpublished: number, cause: unknown) {
    super(STREAM_PUBLISH_ERRORS.PUBLISH_FAILED, `${unpublished} record(s) could not be published to stream ${streamName}`, { cause, details: { streamName, unpublished } });
  }
}

/**
 * Publishes to Kinesis with PutRecords, partition key = the record's key (the aggregate id).
 *
 * Order per key: PutRecords may fail single entries while later entries of the same call
 * succeed, so one call never carries two records of the same key. Records go out in rounds:
 * round n holds the next unpublished record of each key; an entry that fails is retried alone
 * (with its key's later records held back) before the key moves on. Failed entries back off with
 * full jitter, at most `maxAttempts` tries each; then {@link StreamPublishFailedError} and the
 * caller (the router's runner) retries or parks. Kinesis has no deduplication: a record
 * re-published after a crash is stored twice, which consumers tolerate (sinks apply an event
 * only if its aggregate version is newer).
 */
export class KinesisStreamPublisher implements StreamPublisher {
  private readonly client: KinesisClient;
  private readonly streams: Readonly<Record<string, string>>;
  private readonly retry: Required<Omit<AwsRetryOptions, 'onRetry'>> & Pick<AwsRetryOptions, 'onRetry'>;
  private readonly maxRecordsPerCall: number;
  private readonly maxBytesPerCall: number;

  constructor(options: KinesisStreamPublisherOptions) {
    this.client = options.client;
    this.streams = options.streams;
    this.retry = { ...AWS_RETRY_DEFAULTS, ...options.retry };
    this.maxRecordsPerCall = Math.min(500, options.maxRecordsPerCall ?? 500);
    this.maxBytesPerCall = Math.min(5_242_880, options.maxBytesPerCall ?? 5_242_880);
  }

  async publish(streamName: string, records: OutgoingRecord[]): Promise<void> {
    const target = this.streams[streamName];
    if (target === undefined) {
      throw new NexusError(STREAM_PUBLISH_ERRORS.UNKNOWN_STREAM, `no Kinesis stream is configured for stream ${streamName}`, { details: { streamName } });
    }
    for (const record of records) {
      const size = record.record.length + Buffer.byteLength(record.key);
      if (size > KINESIS_MAX_RECORD_BYTES) {
        throw new NexusError(STREAM_PUBLISH_ERRORS.RECORD_TOO_LARGE, `a record of key ${record.key} has ${size} bytes; Kinesis takes at most ${KINESIS_MAX_RECORD_BYTES}`, { details: { streamName, key: record.key, bytes: size } });
      }
    }
    const queues = queuesByKey(records);
    const attempts = new Map<string, number>();
    while (queues.size > 0) {
      const round = [...queues.values()].map((queue) => queue[0] as OutgoingRecord);
      const failed = await this.putRound(streamName, target, round);
      for (const record of round) {
        if (failed.has(record)) continue;
        const queue = queues.get(record.key) as OutgoingRecord[];
        queue.shift();
        attempts.delete(record.key);
        if (queue.length === 0) queues.delete(record.key);
      }
      if (failed.size === 0) continue;
      let highest = 0;
      for (const [record, errorCode] of failed) {
        const attempt = (attempts.get(record.key) ?? 0) + 1;
        attempts.set(record.key, attempt);
        if (attempt >= this.retry.maxAttempts) {
          const unpublished = [...queues.values()].reduce((sum, queue) => sum + queue.length, 0);
          throw new StreamPublishFailedError(streamName, unpublished, new Error(`entry for key ${record.key} failed ${attempt} time(s): ${errorCode}`));
        }
        highest = Math.max(highest, attempt);
      }
      const delayMs = backoffDelayMs(highest, this.retry.initialBackoffMs, this.retry.maxBackoffMs, this.retry.random);
      this.retry.onRetry?.(new Error(`${failed.size} PutRecords entries failed`), highest, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /** Puts one record per key, in calls within Kinesis's limits; returns the failed entries and their error codes. */
  private async putRound(streamName: string, target: string, round: readonly OutgoingRecord[]): Promise<Map<OutgoingRecord, string>> {
    const failed = new Map<OutgoingRecord, string>();
    for (const chunk of chunksWithin(round, this.maxRecordsPerCall, this.maxBytesPerCall)) {
      const entries: PutRecordsRequestEntry[] = chunk.map((record) => ({ PartitionKey: record.key, Data: record.record }));
      const result = await callWithRetry(
        `PutRecords ${streamName}`,
        () => this.client.send(new PutRecordsCommand(target.startsWith('arn:') ? { StreamARN: target, Records: entries } : { StreamName: target, Records: entries })),
        this.retry,
      ).catch((error: unknown) => {
        throw new StreamPublishFailedError(streamName, round.length, error);
      });
      if (!result.FailedRecordCount) continue;
      const answers: readonly PutRecordsResultEntry[] = result.Records ?? [];
      chunk.forEach((record, index) => {
        const answer = answers[index];
        if (answer === undefined || answer.ErrorCode) failed.set(record, answer?.ErrorCode ?? 'NoAnswer');
      });
    }
    return failed;
  }
}

function queuesByKey(records: readonly OutgoingRecord[]): Map<string, OutgoingRecord[]> {
  const queues = new Map<string, OutgoingRecord[]>();
  for (const record of records) {
    const queue = queues.get(record.key);
    if (queue) queue.push(record);
    else queues.set(record.key, [record]);
  }
  return queues;
}

function chunksWithin(records: readonly OutgoingRecord[], maxRecords: number, maxBytes: number): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.record.length + Buffer.byteLength(record.key);
    if (current.length > 0 && (current.length >= maxRecords || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
