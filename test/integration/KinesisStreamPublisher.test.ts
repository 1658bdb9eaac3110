import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisStreamPublisher, STREAM_PUBLISH_ERRORS } from '../../adapters/aws/KinesisStreamPublisher';
import type { OutgoingRecord } from '../../core/streams/RecordSource';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startKinesisFaultProxy } from '../engines/kinesisFaultProxy';
import type { KinesisFaultProxy } from '../engines/kinesisFaultProxy';

const fastRetry = { initialBackoffMs: 1, maxBackoffMs: 4 };

describe('KinesisStreamPublisher on moto', () => {
  const direct = new KinesisClient({ ...motoClientConfig(), maxAttempts: 1 });
  let proxy: KinesisFaultProxy | undefined;

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(() => direct.destroy());

  it('publishes every record once, in order per key, partitioned by key', async () => {
    // given a stream of two shards and records of three keys, interleaved
    const stream = await createStream(direct, 2);
    const records = interleaved(['order-a', 'order-b', 'order-c'], 4);
    const publisher = new KinesisStreamPublisher({ client: direct, streams: { core: stream } });

    // when
    await publisher.publish('core', records);

    // then
    const stored = await readStream(direct, stream);
    expect(stored).toHaveLength(records.length);
    for (const key of ['order-a', 'order-b', 'order-c']) {
      expect(stored.filter((r) => r.key === key).map((r) => r.data)).toEqual(records.filter((r) => r.key === key).map((r) => r.record.toString()));
    }
  });

  it('retries failed entries by themselves and keeps order per key when later entries of the same key would have succeeded', async () => {
    // given a proxy that fails the second record of order-a twice and the first of order-b once
    const stream = await createStream(direct, 1);
    const failures = new Map([['order-a#1', 2], ['order-b#0', 1]]);
    proxy = await startKinesisFaultProxy(motoClientConfig().endpoint, (entry) => {
      const id = entry.data.toString();
      const left = failures.get(id) ?? 0;
      if (left > 0) failures.set(id, left - 1);
      return left > 0;
    });
    const client = new KinesisClient({ ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
    const records = interleaved(['order-a', 'order-b', 'order-c'], 3);

    // when
    await new KinesisStreamPublisher({ client, streams: { core: stream }, retry: fastRetry }).publish('core', records);

    // then every record is stored once, each key in its order, and the failed entries were resent
    const stored = await readStream(direct, stream);
    expect(stored.map((r) => r.data).sort()).toEqual(records.map((r) => r.record.toString()).sort());
    for (const key of ['order-a', 'order-b', 'order-c']) {
      expect(stored.filter((r) => r.key === key).map((r) => r.data)).toEqual(records.filter((r) => r.key === key).map((r) => r.record.toString()));
    }
    expect(proxy.seen.filter((entry) => entry.data.toString() === 'order-a#1')).toHaveLength(3);
    client.destroy();
  });

  it('gives up on a key whose entry always fails, after publishing the other keys and nothing after the failure', async () => {
    // given a proxy that always fails order-b's second record
    const stream = await createStream(direct, 1);
    proxy = await startKinesisFaultProxy(motoClientConfig().endpoint, (entry) => entry.data.toString() === 'order-b#1');
    const client = new KinesisClient({ ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
    const records = interleaved(['order-a', 'order-b'], 3);

    // when
    const failure = await new KinesisStreamPublisher({ client, streams: { core: stream }, retry: fastRetry }).publish('core', records).catch((error: unknown) => error);

    // then
    expect(failure).toMatchObject({ code: STREAM_PUBLISH_ERRORS.PUBLISH_FAILED, details: { streamName: 'core' } });
    const stored = (await readStream(direct, stream)).map((r) => r.data);
    expect(stored.filter((data) => data.startsWith('order-a'))).toEqual(['order-a#0', 'order-a#1', 'order-a#2']);
    expect(stored.filter((data) => data.startsWith('order-b'))).toEqual(['order-b#0']);
    expect(proxy.seen.filter((entry) => entry.data.toString() === 'order-b#1')).toHaveLength(5);
    client.destroy();
  });

  it('refuses an unknown stream name and a record over 1 MiB before calling Kinesis', async () => {
    // given
    const stream = await createStream(direct, 1);
    const publisher = new KinesisStreamPublisher({ client: direct, streams: { core: stream } });
    const huge: OutgoingRecord = { key: 'order-x', record: Buffer.alloc(1_048_577), deduplicationId: 'x' };

    // when / then
    await expect(publisher.publish('elsewhere', [])).rejects.toMatchObject({ code: STREAM_PUBLISH_ERRORS.UNKNOWN_STREAM });
    await expect(publisher.publish('core', [huge])).rejects.toMatchObject({ code: STREAM_PUBLISH_ERRORS.RECORD_TOO_LARGE, details: { key: 'order-x' } });
    expect(await readStream(direct, stream)).toEqual([]);
  });
});

function interleaved(keys: readonly string[], perKey: number): OutgoingRecord[] {
  const records: OutgoingRecord[] = [];
  for (let i = 0; i < perKey; i += 1) for (const key of keys) records.push({ key, record: Buffer.from(`${key}#${i}`), deduplicationId: `${key}#${i}` });
  return records;
}

async function createStream(client: KinesisClient, shards: number): Promise<string> {
  const name = uniqueName('core');
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return name;
}

/** Every record of every shard, shard by shard, in sequence order. */
async function readStream(client: KinesisClient, stream: string): Promise<{ key: string; data: string }[]> {
  const description = await client.send(new DescribeStreamCommand({ StreamName: stream }));
  const out: { key: string; data: string }[] = [];
  for (const shard of description.StreamDescription?.Shards ?? []) {
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
    for (const record of page.Records ?? []) out.push({ key: record.PartitionKey ?? '', data: Buffer.from(record.Data ?? new Uint8Array()).toString() });
  }
  return out;
}
