import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { _Record as KinesisRecord, Shard } from '@aws-sdk/client-kinesis';
import { compareSequenceNumbers } from '../../core/pipeline/lambda/sequenceNumbers';
import { ORDER_LIST_COLLECTION } from '../../domain';
import orderList from '../../pipelines/order-list';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { kinesisEvent, lambdaInvocation } from '../engines/lambdaEvents';
import type { ShardRecords } from '../engines/lambdaEvents';
import { redriveDeadLetters } from '../../core/pipeline/redriveDeadLetters';
import { Gate, summaryPipeline } from '../unit/pipeline/runnerHarness';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';
import type { OrderEvent } from './LambdaBatchRunnerHarness';

interface TestStream {
  name: string;
  arn: string;
  shards: Shard[];
}

describe('LambdaBatchRunner on Kinesis batches read from moto', () => {
  const kinesis = new KinesisClient({ ...motoClientConfig(), maxAttempts: 1 });
  let harness: LambdaRunnerHarness;

  beforeEach(async () => {
    harness = await LambdaRunnerHarness.create();
  });
  afterEach(() => harness.close());
  afterAll(() => kinesis.destroy());

  it('applies every record of a batch, in order per key, and reports no failure', async () => {
    // given records of three orders on a stream, read back as Lambda delivers them
    const stream = await createStream(1);
    await put(stream, await harness.events('order-a', 'order-b', 'order-a', 'order-c', 'order-b', 'order-a'));
    const event = kinesisEvent(stream.arn, await readShards(stream));
    const runner = harness.runner({}, orderList);
    // when
    const response = await runner.kinesis(event, lambdaInvocation());
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    const orders = harness.stores.readModels.collection(ORDER_LIST_COLLECTION);
    expect(await orders.get('order-a')).toMatchObject({ version: 3 });
    expect(await orders.get('order-b')).toMatchObject({ version: 2 });
    expect(await orders.get('order-c')).toMatchObject({ version: 1 });
    expect(runner.metrics()).toMatchObject({ recordsIn: 6, recordsOut: 6, recordsParked: 0, batches: 1, lagRecords: 0 });
  });

  it('parks a poison record after maxAttempts with its bytes and sequence number, parks later records of its key behind it, and lets other keys finish', async () => {
    // given
    harness.seen.broken.add('poison');
    const stream = await createStream(1);
    const events = await harness.events('poison', 'fine', 'poison', 'fine', 'poison');
    await put(stream, events);
    const [shard] = await readShards(stream);
    const event = kinesisEvent(stream.arn, [shard as ShardRecords]);
    // when
    const response = await harness.runner({ maxAttempts: 5 }).kinesis(event, lambdaInvocation());
    // then nothing is reported: every record is applied or parked
    expect(response.batchItemFailures).toEqual([]);
    expect(harness.applied()).toEqual({ fine: [1, 2] });
    const [first, ...behind] = await harness.parked();
    const poisonSequence = shard?.records[0]?.SequenceNumber as string;
    expect(first).toMatchObject({ key: 'poison', attempts: 5, parkedBehindId: null, record: events[0]?.record, sourcePosition: 1 });
    expect(first?.errorMessage).toContain('cannot summarise poison');
    expect(first?.errorMessage).toContain(`sequence ${poisonSequence}`);
    expect(behind.map((entry) => [entry.key, entry.parkedBehindId, entry.record])).toEqual([
      ['poison', first?.id, events[2]?.record],
      ['poison', first?.id, events[4]?.record],
    ]);
    expect(harness.seen.runs.get(events[0]?.eventId as string)).toBe(5);
  });

  it('keeps a key parked in one invocation parked in the next, and does not park a redelivered record twice', async () => {
    // given a poison key parked by a first invocation, then its bug fixed
    harness.seen.broken.add('poison');
    const stream = await createStream(1);
    await put(stream, await harness.events('poison', 'fine'));
    const runner = harness.runner();
    await runner.kinesis(kinesisEvent(stream.arn, await readShards(stream)), lambdaInvocation());
    harness.seen.broken.delete('poison');
    // when a second invocation gets the first batch again (a redelivery) and new records of both keys
    await put(stream, await harness.events('poison', 'fine'));
    const response = await runner.kinesis(kinesisEvent(stream.arn, await readShards(stream)), lambdaInvocation());
    // then the new poison record parks behind the first, the redelivered one is not parked again
    expect(response.batchItemFailures).toEqual([]);
    const parked = await harness.parked();
    expect(parked.map((entry) => [entry.key, entry.parkedBehindId])).toEqual([
      ['poison', null],
      ['poison', parked[0]?.id],
    ]);
    expect(harness.applied()).toEqual({ fine: [1, 2] });
  });

  it('lets the CLI redrive what it parked, in order, after which the key flows again in the next invocation', async () => {
    // given a key parked by one invocation, then its bug fixed
    harness.seen.broken.add('poison');
    const stream = await createStream(1);
    await put(stream, await harness.events('poison', 'poison'));
    const definition = summaryPipeline(harness.seen);
    const runner = harness.runner({}, definition);
    await runner.kinesis(kinesisEvent(stream.arn, await readShards(stream)), lambdaInvocation());
    harness.seen.broken.delete('poison');
    // when the parked records are redriven, and a new record of the key arrives
    const summary = await redriveDeadLetters(definition, { deadLetters: harness.stores.deadLetters, context: harness.stores.context });
    const [shard] = await readShards(stream);
    await put(stream, await harness.events('poison'));
    const [after] = await readShards(stream);
    const response = await runner.kinesis(kinesisEvent(stream.arn, [{ shardId: after?.shardId as string, records: after?.records.slice(shard?.records.length) ?? [] }]), lambdaInvocation());
    // then
    expect(summary).toEqual({ redriven: 2, failed: [] });
    expect(response.batchItemFailures).toEqual([]);
    expect(harness.applied()).toEqual({ poison: [1, 2, 3] });
  });

  it('reports the lowest failed sequence number of each shard when the dead-letter store fails, starts nothing after it, and finishes everything on redelivery', async () => {
    // given two shards, each with a poison record, and a dead-letter store that refuses parks
    harness.seen.broken.add('poison-0').add('poison-1');
    const stream = await createStream(2);
    const [shard0, shard1] = stream.shards;
    await put(stream, await harness.events('a', 'poison-0', 'a', 'poison-0', 'b'), shard0);
    await put(stream, await harness.events('c', 'poison-1', 'c'), shard1);
    const shards = await readShards(stream);
    harness.refuseParks();
    const runner = harness.runner({ concurrency: 1 });
    // when
    const response = await runner.kinesis(kinesisEvent(stream.arn, shards), lambdaInvocation());
    // then one failure per shard, its poison record; before it everything is applied, after it nothing started
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceAt(shards, 0, 1) }, { itemIdentifier: sequenceAt(shards, 1, 1) }]);
    expect(harness.applied()).toEqual({ a: [1], c: [1] });
    expect(await harness.parked()).toEqual([]);
    // when Lambda delivers each shard again from the reported sequence number, the store back
    harness.acceptParks();
    const redelivered = await readShards(stream, response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const retry = await runner.kinesis(kinesisEvent(stream.arn, redelivered), lambdaInvocation());
    // then
    expect(retry.batchItemFailures).toEqual([]);
    expect(harness.applied()).toEqual({ a: [1, 2], b: [1], c: [1, 2] });
    expect((await harness.parked()).map((entry) => [entry.key, entry.parkedBehindId === null])).toEqual([
      ['poison-0', true],
      ['poison-0', false],
      ['poison-1', true],
    ]);
  });

  it('reports the record whose retries the deadline cut short, as the lowest of its shard, and applies it on redelivery', async () => {
    // given a key held failing, retries 30 s apart, and an invocation with 1.5 s left of which 1 s is the safety margin
    const gate = new Gate();
    harness.seen.gates.set('slow', gate);
    const stream = await createStream(1);
    await put(stream, await harness.events('fast', 'slow', 'fast', 'slow'));
    const shards = await readShards(stream);
    const runner = harness.runner({ initialBackoffMs: 60_000, maxBackoffMs: 60_000, random: () => 0.5, safetyMarginMs: 1000 });
    // when
    const response = await runner.kinesis(kinesisEvent(stream.arn, shards), lambdaInvocation(1500));
    // then the slow record is reported, not parked and not lost
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceAt(shards, 0, 1) }]);
    expect(await harness.parked()).toEqual([]);
    expect(harness.applied().slow).toBeUndefined();
    // when redelivered from it, the key's fault gone
    gate.open();
    const redelivered = await readShards(stream, [sequenceAt(shards, 0, 1)]);
    const retry = await runner.kinesis(kinesisEvent(stream.arn, redelivered), lambdaInvocation());
    // then
    expect(retry.batchItemFailures).toEqual([]);
    expect(harness.applied()).toEqual({ fast: [1, 2], slow: [1, 2] });
  });

  async function createStream(shardCount: number): Promise<TestStream> {
    const name = uniqueName('lambda-runner');
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: name }));
    return { name, arn: StreamDescriptionSummary?.StreamARN as string, shards: Shards ?? [] };
  }

  /** PutRecords in order, partition key = aggregate id; `shard` pins every record to one shard by its starting hash key. */
  async function put(stream: TestStream, events: readonly OrderEvent[], shard?: Shard): Promise<void> {
    const ExplicitHashKey = shard?.HashKeyRange?.StartingHashKey;
    const Records = events.map((event) => ({ PartitionKey: event.key, Data: event.record, ...(ExplicitHashKey ? { ExplicitHashKey } : {}) }));
    const result = await kinesis.send(new PutRecordsCommand({ StreamName: stream.name, Records }));
    expect(result.FailedRecordCount ?? 0).toBe(0);
  }

  /** Every record of every shard (from the start, or from the given sequence numbers on, as Lambda redelivers). */
  async function readShards(stream: TestStream, from: readonly string[] = []): Promise<ShardRecords[]> {
    const read: ShardRecords[] = [];
    for (const shard of stream.shards) {
      const shardId = shard.ShardId as string;
      const start = from.find((sequence) => inShard(shard, sequence));
      if (from.length > 0 && start === undefined) continue;
      const iterator = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: stream.name, ShardId: shardId, ...(start ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: start } : { ShardIteratorType: 'TRIM_HORIZON' }) }),
      );
      const records: KinesisRecord[] = [];
      let next = iterator.ShardIterator;
      while (next) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: next }));
        records.push(...(page.Records ?? []));
        next = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
      }
      if (records.length > 0) read.push({ shardId, records });
    }
    return read;
  }

  function inShard(shard: Shard, sequence: string): boolean {
    const range = shard.SequenceNumberRange;
    const starting = range?.StartingSequenceNumber ?? '0';
    return compareSequenceNumbers(sequence, starting) >= 0 && (range?.EndingSequenceNumber === undefined || compareSequenceNumbers(sequence, range.EndingSequenceNumber) <= 0);
  }
});

function sequenceAt(shards: readonly ShardRecords[], shard: number, index: number): string {
  return shards[shard]?.records[index]?.SequenceNumber as string;
}
