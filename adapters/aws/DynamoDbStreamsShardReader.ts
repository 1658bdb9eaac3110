import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBStreamsClient, Shard } from '@aws-sdk/client-dynamodb-streams';
import type { ShardDescription } from '../../core/leases/LeaseStore';
import type { ShardRecord } from '../../core/leases/ShardReader';
import type { ShardLister } from '../../core/leases/ShardLeaseCoordinator';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { IteratorShardReader, iteratorPosition } from './IteratorShardReader';
import type { IteratorShardReaderOptions, ShardIteratorApi, ShardPage } from './IteratorShardReader';

/** What a polling runner takes from one new item image: its ordering key and its record bytes. */
export type StreamImageReader = (image: Record<string, AttributeValue>) => Omit<ShardRecord, 'sequenceNumber'> | undefined;

/** Options of {@link DynamoDbStreamsShardReader} and {@link dynamoDbStreamsShardLister}. */
export interface DynamoDbStreamsOptions extends IteratorShardReaderOptions {
  /** A client built with `maxAttempts: 1`. */
  client: DynamoDBStreamsClient;
  /** The table's LatestStreamArn. */
  streamArn: string;
  /** Maps a NEW_IMAGE to key and bytes; items it answers undefined for are skipped. */
  readImage: StreamImageReader;
  retry?: AwsRetryOptions;
}

/**
 * Reads a DynamoDB table's stream shards after a checkpoint (GetShardIterator + GetRecords),
 * keeping only INSERTs (the events table is append-only: an item is written once) mapped by
 * `readImage`; see {@link IteratorShardReader}. Stream shards roll over about every four hours
 * even without a reshard: the old shard closes and a child continues it.
 */
export class DynamoDbStreamsShardReader extends IteratorShardReader {
  constructor(options: DynamoDbStreamsOptions) {
    super(streamsIteratorApi(options), options);
  }
}

/** Lists the stream's shards (open and closed) with their parents, for the lease coordinator. */
export function dynamoDbStreamsShardLister(options: Pick<DynamoDbStreamsOptions, 'client' | 'streamArn' | 'retry'>): ShardLister {
  return async () => (await describeShards(options)).map((shard): ShardDescription => ({ shardId: shard.ShardId ?? '', parentShardIds: shard.ParentShardId ? [shard.ParentShardId] : [] }));
}

async function describeShards({ client, streamArn, retry }: Pick<DynamoDbStreamsOptions, 'client' | 'streamArn' | 'retry'>): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const answer = await callWithRetry('DescribeStream', () => client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start })), retry);
    shards.push(...(answer.StreamDescription?.Shards ?? []));
    start = answer.StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards;
}

function streamsIteratorApi(options: DynamoDbStreamsOptions): ShardIteratorApi {
  const { client, streamArn, readImage, retry } = options;
  return {
    iteratorAfter: async (shardId, after) => {
      const position = iteratorPosition(after);
      const answer = await callWithRetry('GetShardIterator', () =>
        client.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: position.type,
            ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.sequenceNumber } : {}),
          }),
        ),
      retry);
      return answer.ShardIterator as string;
    },
    getRecords: async (iterator, limit): Promise<ShardPage> => {
      const page = await callWithRetry('GetRecords', () => client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, Math.max(1, limit)) })), retry);
      const records: ShardRecord[] = [];
      for (const record of page.Records ?? []) {
        const image = record.dynamodb?.NewImage;
        if (record.eventName !== 'INSERT' || !image) continue;
        const read = readImage(image);
        if (read) records.push({ ...read, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' });
      }
      return { records, nextIterator: page.NextShardIterator ?? undefined };
    },
    closedShardEndings: async () => {
      const endings = new Map<string, bigint>();
      for (const shard of await describeShards(options)) {
        const ending = shard.SequenceNumberRange?.EndingSequenceNumber;
        if (shard.ShardId && ending) endings.set(shard.ShardId, BigInt(ending));
      }
      return endings;
    },
  };
}
