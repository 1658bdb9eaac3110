import { CreateStreamCommand, KinesisClient, PutRecordsCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { KinesisShardReader } from '../../adapters/aws/KinesisShardReader';
import { kinesisShardLister } from '../../adapters/aws/kinesisShardLister';
import { TRIM_HORIZON } from '../../core/leases/LeaseStore';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';

describe('KinesisShardReader on moto', () => {
  const kinesis = new KinesisClient({ ...motoClientConfig(), maxAttempts: 1 });
  afterAll(() => kinesis.destroy());

  async function streamWith(count: number): Promise<{ stream: string; shardId: string }> {
    const stream = uniqueName('stream');
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const records = Array.from({ length: count }, (_, i) => ({ PartitionKey: `order-${i % 2}`, Data: Buffer.from(`record-${i}`) }));
    if (count > 0) await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
    const [shard] = await kinesisShardLister(kinesis, stream)();
    return { stream, shardId: shard?.shardId as string };
  }

  it('reads a shard in pages from TRIM_HORIZON, each page after the last sequence number', async () => {
    // given five records in one shard
    const { stream, shardId } = await streamWith(5);
    const reader = new KinesisShardReader({ client: kinesis, streamName: stream });
    // when reading two at a time, each read after the previous page's last record
    const first = await reader.read(shardId, TRIM_HORIZON, 2);
    const second = await reader.read(shardId, first.records[1]?.sequenceNumber as string, 2);
    const third = await reader.read(shardId, second.records[1]?.sequenceNumber as string, 2);
    // then
    const data = [...first.records, ...second.records, ...third.records].map((record) => record.data.toString());
    expect(data).toEqual(['record-0', 'record-1', 'record-2', 'record-3', 'record-4']);
    expect(first.records.map((record) => record.key)).toEqual(['order-0', 'order-1']);
    expect(first.ended).toBe(false);
    expect(typeof first.records[0]?.sequenceNumber).toBe('string');
  });

  it('starts again from a checkpoint that is not where the last read stopped (a lease taken over)', async () => {
    // given a reader that read four records
    const { stream, shardId } = await streamWith(4);
    const reader = new KinesisShardReader({ client: kinesis, streamName: stream });
    const all = await reader.read(shardId, TRIM_HORIZON, 4);
    // when it is asked for the records after the first one
    const again = await reader.read(shardId, all.records[0]?.sequenceNumber as string, 10);
    // then it reads them again, not after the fourth
    expect(again.records.map((record) => record.data.toString())).toEqual(['record-1', 'record-2', 'record-3']);
  });

  it('says a closed parent shard ended once its last record was read', async () => {
    // given a stream with records, then split
    const { stream, shardId } = await streamWith(3);
    await kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
    const reader = new KinesisShardReader({ client: kinesis, streamName: stream });
    // when reading the parent to its end
    const read = await reader.read(shardId, TRIM_HORIZON, 100);
    const after = read.ended ? read : await reader.read(shardId, read.records[read.records.length - 1]?.sequenceNumber as string, 100);
    // then
    expect(read.records.map((record) => record.data.toString())).toEqual(['record-0', 'record-1', 'record-2']);
    expect(after.ended).toBe(true);
  });
});
