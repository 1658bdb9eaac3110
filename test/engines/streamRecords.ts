/** Reads what Lambda would be handed from the engines' streams: the events table's stream and a Kinesis shard. */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand as GetStreamRecordsCommand, GetShardIteratorCommand as GetStreamIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamsClient, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, _Record as KinesisRecord } from '@aws-sdk/client-kinesis';

/** Every record of the table's stream so far, from TRIM_HORIZON, with the stream's ARN. */
export async function eventsTableStreamRecords(clients: { dynamo: DynamoDBClient; streams: DynamoDBStreamsClient }, tableName: string): Promise<{ streamArn: string; records: StreamRecord[] }> {
  const { Table } = await clients.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = Table?.LatestStreamArn as string;
  const { StreamDescription } = await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: StreamRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const iterator = await clients.streams.send(new GetStreamIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    let next = iterator.ShardIterator;
    while (next) {
      const page = await clients.streams.send(new GetStreamRecordsCommand({ ShardIterator: next }));
      records.push(...(page.Records ?? []));
      next = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return { streamArn, records };
}

/** The records of a one-shard Kinesis stream from TRIM_HORIZON, skipping the first `skip`, with the stream's ARN and shard id. */
export async function kinesisShardRecords(kinesis: KinesisClient, streamName: string, skip = 0): Promise<{ streamArn: string; shardId: string; records: KinesisRecord[] }> {
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const shardId = Shards?.[0]?.ShardId as string;
  const iterator = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const records: KinesisRecord[] = [];
  let next = iterator.ShardIterator;
  while (next) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: next }));
    records.push(...(page.Records ?? []));
    next = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
  }
  return { streamArn: StreamDescriptionSummary?.StreamARN as string, shardId, records: records.slice(skip) };
}
