import { TRIM_HORIZON } from '../../core/leases/LeaseStore';
import type { ShardReader, ShardReadResult, ShardRecord } from '../../core/leases/ShardReader';

/** One GetRecords answer, in the terms both Kinesis and DynamoDB Streams share. */
export interface ShardPage {
  records: ShardRecord[];
  /** Undefined when the shard is closed and was read to its end. */
  nextIterator: string | undefined;
  millisBehindLatest?: number;
}

/** The three calls a shard iterator API offers (Kinesis, DynamoDB Streams). */
export interface ShardIteratorApi {
  /** An iterator at TRIM_HORIZON or AFTER_SEQUENCE_NUMBER `after`. */
  iteratorAfter(shardId: string, after: string): Promise<string>;
  getRecords(iterator: string, limit: number): Promise<ShardPage>;
  /** Ending sequence numbers of the closed shards. */
  closedShardEndings(): Promise<Map<string, bigint>>;
}

/** Options of {@link IteratorShardReader}. */
export interface IteratorShardReaderOptions {
  /**
   * After an empty read, how long a shard known to be open is not asked about again (listing
   * shards is rate limited, and shared by every consumer). @defaultValue 10000
   */
  closedCheckIntervalMs?: number;
  /** Clock. @defaultValue Date.now */
  now?: () => number;
}

interface Cursor {
  after: string;
  iterator: string;
}

/**
 * A {@link ShardReader} over an iterator API. The iterator of the last read is reused when the
 * next read continues where it stopped (getting an iterator is rate limited: 5 per second per
 * shard on Kinesis); a checkpoint that moved elsewhere (a lease taken over) or an expired
 * iterator (5 minutes on Kinesis, 15 on Streams) starts a new one after the checkpoint.
 *
 * A shard has ended when GetRecords answers no next iterator or, after an empty read, when the
 * shard lists an ending sequence number the read has reached (moto, which the tests use, keeps
 * handing out iterators for closed shards).
 */
export class IteratorShardReader implements ShardReader {
  private readonly cursors = new Map<string, Cursor>();
  private readonly endings = new Map<string, bigint>();
  private readonly seenOpenAtMs = new Map<string, number>();
  private readonly closedCheckIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly api: ShardIteratorApi, options: IteratorShardReaderOptions = {}) {
    this.closedCheckIntervalMs = options.closedCheckIntervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async read(shardId: string, after: string, limit: number): Promise<ShardReadResult> {
    const cursor = this.cursors.get(shardId);
    let iterator = cursor && cursor.after === after ? cursor.iterator : await this.api.iteratorAfter(shardId, after);
    let page: ShardPage;
    try {
      page = await this.api.getRecords(iterator, limit);
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ExpiredIteratorException') throw error;
      iterator = await this.api.iteratorAfter(shardId, after);
      page = await this.api.getRecords(iterator, limit);
    }
    const { records } = page;
    const last = records.length > 0 ? (records[records.length - 1]?.sequenceNumber as string) : after;
    const ended = page.nextIterator === undefined || (records.length === 0 && (await this.reachedEnd(shardId, after)));
    if (ended) this.cursors.delete(shardId);
    else this.cursors.set(shardId, { after: last, iterator: page.nextIterator as string });
    return { records, ended, ...(page.millisBehindLatest === undefined ? {} : { millisBehindLatest: page.millisBehindLatest }) };
  }

  private async reachedEnd(shardId: string, after: string): Promise<boolean> {
    let ending = this.endings.get(shardId);
    if (ending === undefined) {
      const now = this.now();
      const seenOpenAt = this.seenOpenAtMs.get(shardId);
      if (seenOpenAt !== undefined && now - seenOpenAt < this.closedCheckIntervalMs) return false;
      for (const [id, end] of await this.api.closedShardEndings()) this.endings.set(id, end);
      ending = this.endings.get(shardId);
      if (ending === undefined) {
        this.seenOpenAtMs.set(shardId, now);
        return false;
      }
    }
    return (after === TRIM_HORIZON ? 0n : BigInt(after)) >= ending;
  }
}

/** `TRIM_HORIZON`, or `AFTER_SEQUENCE_NUMBER` with the number: the position both APIs take. */
export function iteratorPosition(after: string): { type: 'TRIM_HORIZON' } | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string } {
  return after === TRIM_HORIZON ? { type: 'TRIM_HORIZON' } : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: after };
}
