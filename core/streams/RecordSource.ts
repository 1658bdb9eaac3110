/** One record as a pipeline source delivers it: a Glue-framed envelope plus where it sits. */
export interface SourceRecord {
  /** Position in its source; increasing, not necessarily contiguous. */
  position: number;
  /** Ordering and isolation key (the aggregate id unless the stream says otherwise). */
  key: string;
  /** Glue-framed `nexus.EventEnvelope` bytes. */
  record: Buffer;
}

/**
 * A tail-able, ordered log of records: the event store's change feed or a named stream.
 * Implementations: embedded SQLite logs; Kinesis and DynamoDB Streams are read by Lambda runners.
 */
export interface RecordSource {
  readonly name: string;
  /** Records with position > afterPosition, in position order, at most `limit`. */
  read(afterPosition: number, limit: number): Promise<SourceRecord[]>;
  /** Calls `listener` when new records may be readable. Returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
}

/** A record to publish to a stream or topic. */
export interface OutgoingRecord {
  key: string;
  record: Buffer;
  /** Publishing the same id twice to the same stream stores it once. */
  deduplicationId: string;
}

/** Writes records to named streams (core stream, topics). */
export interface StreamPublisher {
  publish(streamName: string, records: OutgoingRecord[]): Promise<void>;
}

/** Prefix of a pipeline source that is a subscriber queue of a topic (see core/messaging). */
const QUEUE_SOURCE_PREFIX = 'queue:';

/**
 * The source name of a pipeline that reads the subscriber queue `queueName`: its runner
 * receives messages, acks those the pipeline finished and leaves failed ones to be redelivered
 * (after `maxReceiveCount` receives, the queue's dead-letter queue holds them).
 *
 * @example
 * definePipeline({ name: 'order-notices', source: subscriberQueue('order-notices'), pipe })
 */
export function subscriberQueue(queueName: string): string {
  return `${QUEUE_SOURCE_PREFIX}${queueName}`;
}

/** The queue name of a source made by {@link subscriberQueue}, else undefined (a log: `events` or a stream). */
export function queueOfSource(source: string): string | undefined {
  return source.startsWith(QUEUE_SOURCE_PREFIX) ? source.slice(QUEUE_SOURCE_PREFIX.length) : undefined;
}
