import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { TRIM_HORIZON } from '../../core/leases/LeaseStore';
import type { ShardReader, ShardReadResult } from '../../core/leases/ShardReader';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';

/** Options of {@link KinesisShardReader}. */
export interface KinesisShardReaderOptions {
  /** A client built with `maxAttempts: 1` and the HTTP/1.1 handler. */
  client: KinesisClient;
  streamName: string;
  retry?: AwsRetryOptions;
  /**
   * After an empty read, how long a shard known to be open is not asked about again (ListShards
   * is limited to 100 calls per second per stream, shared by every consumer). @defaultValue 10000
   */
  closedCheckIntervalMs?: number;
  /** Clock. @defaultValue Date.now */
  now?: () => number;
}

/** Where the reader left a shard: the iterator that continues after `after`. */
interface Cursor {
  after: string;
  iterator: string;
}

/**
 * GetShardIterator + GetRecords over one Kinesis stream. The iterator of the last read is reused
 * when the next read continues where it stopped (no GetShardIterator per poll: it is limited to 5
 * calls per second per shard); a checkpoint that moved elsewhere, or an iterator past its 5
 * minutes, starts a new one AFTER_SEQUENCE_NUMBER.
 *
 * A shard has ended when GetRecords answers no next iterator (Kinesis) or, after an empty read,
 * when the shard lists an ending sequence number the read has reached (what a closed shard
 * says in ListShards; moto, which the tests use, never drops the next iterator).
 */
export class KinesisShardReader implements ShardReader {
  private readonly cursors = new Map<string, Cursor>();
  /** Ending sequence number of closed shards (final), and when open shards were last seen open. */
  private readonly endings = new Map<string, bigint>();
  private readonly seenOpenAtMs = new Map<string, number>();

  constructor(private readonly options: KinesisShardReaderOptions) {}

  async read(shardId: string, after: string, limit: number): Promise<ShardReadResult> {
    const cursor = this.cursors.get(shardId);
    let iterator = cursor && cursor.after === after ? cursor.iterator : await this.iteratorAfter(shardId, after);
    let page;
    try {
      page = await this.getRecords(iterator, limit);
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ExpiredIteratorException') throw error;
      iterator = await this.iteratorAfter(shardId, after);
      page = await this.getRecords(iterator, limit);
    }
    const records = (page.Records ?? []).map((record) => ({
      sequenceNumber: record.SequenceNumber ?? '',
      key: record.PartitionKey ?? '',
      data: Buffer.from(record.Data ?? new Uint8Array()),
    }));
    const last = records.length > 0 ? (records[records.length - 1]?.sequenceNumber as string) : after;
    // A closed shard answers no next iterator once its last record was returned.
    const ended = page.NextShardIterator === undefined || page.NextShardIterator === null || (records.length === 0 && (await this.reachedEnd(shardId, after)));
    if (ended) this.cursors.delete(shardId);
    else this.cursors.set(shardId, { after: last, iterator: page.NextShardIterator as string });
    return { records, ended, ...(page.MillisBehindLatest === undefined ? {} : { millisBehindLatest: page.MillisBehindLatest }) };
  }

  /** Whether `shardId` is closed and `after` is at (or past) its ending sequence number. */
  private async reachedEnd(shardId: string, after: string): Promise<boolean> {
    let ending = this.endings.get(shardId);
    if (ending === undefined) {
      const now = (this.options.now ?? Date.now)();
      const seenOpenAt = this.seenOpenAtMs.get(shardId);
      if (seenOpenAt !== undefined && now - seenOpenAt < (this.options.closedCheckIntervalMs ?? 10_000)) return false;
      await this.listEndings();
      ending = this.endings.get(shardId);
      if (ending === undefined) {
        this.seenOpenAtMs.set(shardId, now);
        return false;
      }
    }
    return (after === TRIM_HORIZON ? 0n : BigInt(after)) >= ending;
  }

  private async listEndings(): Promise<void> {
    let nextToken: string | undefined;
    do {
      const request = nextToken === undefined ? new ListShardsCommand({ StreamName: this.options.streamName }) : new ListShardsCommand({ NextToken: nextToken });
      const page = await callWithRetry(`ListShards ${this.options.streamName}`, () => this.options.client.send(request), this.options.retry);
      for (const shard of page.Shards ?? []) {
        const ending = shard.SequenceNumberRange?.EndingSequenceNumber;
        if (shard.ShardId && ending) this.endings.set(shard.ShardId, BigInt(ending));
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }

  private getRecords(iterator: string, limit: number) {
    return callWithRetry(`GetRecords ${this.options.streamName}`, () => this.options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, Math.max(1, limit)) })), this.options.retry);
  }

  private async iteratorAfter(shardId: string, after: string): Promise<string> {
    const position = after === TRIM_HORIZON ? { ShardIteratorType: 'TRIM_HORIZON' as const } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: after };
    const answer = await callWithRetry(
      `GetShardIterator ${this.options.streamName}`,
      () => this.options.client.send(new GetShardIteratorCommand({ StreamName: this.options.streamName, ShardId: shardId, ...position })),
      this.options.retry,
    );
    return answer.ShardIterator as string;
  }
}
