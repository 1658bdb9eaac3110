import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { callWithRetry } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';
import { IteratorShardReader, iteratorPosition } from './IteratorShardReader';
import type { IteratorShardReaderOptions, ShardIteratorApi, ShardPage } from './IteratorShardReader';

/** Options of {@link KinesisShardReader}. */
export interface KinesisShardReaderOptions extends IteratorShardReaderOptions {
  /** A client built with `maxAttempts: 1` and the HTTP/1.1 handler. */
  client: KinesisClient;
  streamName: string;
  retry?: AwsRetryOptions;
}

/** Reads Kinesis shards after a checkpoint (GetShardIterator + GetRecords); see {@link IteratorShardReader}. */
export class KinesisShardReader extends IteratorShardReader {
  constructor(options: KinesisShardReaderOptions) {
    super(kinesisIteratorApi(options), options);
  }
}

function kinesisIteratorApi({ client, streamName, retry }: KinesisShardReaderOptions): ShardIteratorApi {
  const call = <T>(operation: string, send: () => Promise<T>): Promise<T> => callWithRetry(`${operation} ${streamName}`, send, retry);
  return {
    iteratorAfter: async (shardId, after) => {
      const position = iteratorPosition(after);
      const answer = await call('GetShardIterator', () =>
        client.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: shardId,
            ShardIteratorType: position.type,
            ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { StartingSequenceNumber: position.sequenceNumber } : {}),
          }),
        ),
      );
      return answer.ShardIterator as string;
    },
    getRecords: async (iterator, limit): Promise<ShardPage> => {
      const page = await call('GetRecords', () => client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, Math.max(1, limit)) })));
      return {
        records: (page.Records ?? []).map((record) => ({ sequenceNumber: record.SequenceNumber ?? '', key: record.PartitionKey ?? '', data: Buffer.from(record.Data ?? new Uint8Array()) })),
        nextIterator: page.NextShardIterator ?? undefined,
        ...(page.MillisBehindLatest === undefined ? {} : { millisBehindLatest: page.MillisBehindLatest }),
      };
    },
    closedShardEndings: async () => {
      const endings = new Map<string, bigint>();
      let nextToken: string | undefined;
      do {
        const request = nextToken === undefined ? new ListShardsCommand({ StreamName: streamName }) : new ListShardsCommand({ NextToken: nextToken });
        const page = await call('ListShards', () => client.send(request));
        for (const shard of page.Shards ?? []) {
          const ending = shard.SequenceNumberRange?.EndingSequenceNumber;
          if (shard.ShardId && ending) endings.set(shard.ShardId, BigInt(ending));
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return endings;
    },
  };
}
