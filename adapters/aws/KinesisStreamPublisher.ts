import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { NexusError } from '../../core/errors/NexusError';
import type { OutgoingRecord, StreamPublisher } from '../../core/streams/RecordSource';
import { AWS_RETRY_DEFAULTS, callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { publishInKeyRounds } from './publishInKeyRounds';
import type { EntryFailure } from './publishInKeyRounds';

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
    await publishInKeyRounds(records, {
      keyOf: (record) => record.key,
      sendRound: (round, unpublished) => this.putRound(streamName, target, round, unpublished),
      giveUp: (unpublished, cause) => new StreamPublishFailedError(streamName, unpublished, cause),
      retry: this.retry,
    });
  }

  /** Puts one record per key, in calls within Kinesis's limits; returns the failed entries and their error codes. */
  private async putRound(streamName: string, target: string, round: readonly OutgoingRecord[], unpublished: () => number): Promise<Map<OutgoingRecord, EntryFailure>> {
    const failed = new Map<OutgoingRecord, EntryFailure>();
    for (const chunk of chunksWithin(round, this.maxRecordsPerCall, this.maxBytesPerCall)) {
      const entries: PutRecordsRequestEntry[] = chunk.map((record) => ({ PartitionKey: record.key, Data: record.record }));
      const result = await callWithRetry(
        `PutRecords ${streamName}`,
        () => this.client.send(new PutRecordsCommand(target.startsWith('arn:') ? { StreamARN: target, Records: entries } : { StreamName: target, Records: entries })),
        this.retry,
      ).catch((error: unknown) => {
        throw new StreamPublishFailedError(streamName, unpublished(), error);
      });
      if (!result.FailedRecordCount) continue;
      const answers: readonly PutRecordsResultEntry[] = result.Records ?? [];
      chunk.forEach((record, index) => {
        const answer = answers[index];
        if (answer === undefined || answer.ErrorCode) failed.set(record, { reason: answer?.ErrorCode ?? 'NoAnswer', retryable: true });
      });
    }
    return failed;
  }
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
