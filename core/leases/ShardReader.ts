/** One record of a shard, as a polling runner hands it on. */
export interface ShardRecord {
  /** Exact, as the stream gives it: sequence numbers exceed 2^53, so never a number. */
  sequenceNumber: string;
  /** Ordering key (Kinesis partition key; the aggregate id on DynamoDB Streams). */
  key: string;
  /** Glue-framed envelope bytes. */
  data: Buffer;
}

/** What one {@link ShardReader.read} returns. */
export interface ShardReadResult {
  records: ShardRecord[];
  /** The shard is closed and every record of it has been returned: checkpoint SHARD_END. */
  ended: boolean;
  /** How far the shard's newest record is ahead of this read, when the stream says (Kinesis). */
  millisBehindLatest?: number;
}

/**
 * Reads the records of one shard after a checkpoint (a sequence number or TRIM_HORIZON), the
 * way GetShardIterator + GetRecords do, for polling runners (Kinesis, DynamoDB Streams).
 */
export interface ShardReader {
  read(shardId: string, after: string, limit: number): Promise<ShardReadResult>;
}
