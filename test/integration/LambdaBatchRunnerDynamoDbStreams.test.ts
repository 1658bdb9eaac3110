import { DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import { EVENT_ATTRIBUTES, EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { LambdaBatchRunner } from '../../core/pipeline/lambda/LambdaBatchRunner';
import { ORDER_LIST_COLLECTION } from '../../domain';
import orderList from '../../pipelines/order-list';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { dynamoDbStreamEvent, lambdaInvocation } from '../engines/lambdaEvents';
import { Gate, summaryPipeline } from '../unit/pipeline/runnerHarness';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';
import type { OrderEvent } from './LambdaBatchRunnerHarness';

interface TestTable {
  name: string;
  streamArn: string;
}

describe('LambdaBatchRunner on DynamoDB Streams batches read from moto', () => {
  const dynamodb = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  const streams = new DynamoDBStreamsClient({ ...motoClientConfig(), maxAttempts: 1 });
  let harness: LambdaRunnerHarness;

  beforeEach(async () => {
    harness = await LambdaRunnerHarness.create();
  });
  afterEach(() => harness.close());
  afterAll(() => {
    dynamodb.destroy();
    streams.destroy();
  });

  it('applies every event item of a batch, in order per aggregate, and reports no failure', async () => {
    // given events written to an events table, read back from its stream as Lambda delivers them
    const table = await createEventsTable();
    await write(table, await harness.events('order-a', 'order-b', 'order-a', 'order-a'));
    const runner = harness.runner({}, orderList);
    // when
    const response = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, await readStream(table)), lambdaInvocation());
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    const orders = harness.stores.readModels.collection(ORDER_LIST_COLLECTION);
    expect(await orders.get('order-a')).toMatchObject({ version: 3 });
    expect(await orders.get('order-b')).toMatchObject({ version: 1 });
    expect(runner.metrics()).toMatchObject({ recordsIn: 4, recordsParked: 0 });
  });

  it('parks a poison event in the DynamoDB dead-letter store, parks later events of its aggregate behind it in this and the next invocation, and lets other aggregates finish', async () => {
    // given the DynamoDB dead-letter store, and an aggregate whose events the pipeline cannot handle
    const deadLetterTable = uniqueName('dead-letters');
    await createDynamoDbTable(dynamodb, deadLetterTable, DEAD_LETTER_TABLE);
    const deadLetters = new DynamoDbDeadLetterStore({ client: dynamodb, tableName: deadLetterTable, maxItemBytes: 300_000 });
    harness.seen.broken.add('poison');
    const definition = summaryPipeline(harness.seen);
    const runner = new LambdaBatchRunner(definition, { deadLetters, context: harness.stores.context });
    const table = await createEventsTable();
    const events = await harness.events('poison', 'fine', 'poison');
    await write(table, events);
    const firstBatch = await readStream(table);
    const first = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, firstBatch), lambdaInvocation());
    harness.seen.broken.delete('poison');
    // when the next invocation brings another event of the parked aggregate
    const later = await harness.events('poison', 'fine');
    await write(table, later);
    const second = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, await readStream(table, firstBatch.length)), lambdaInvocation());
    // then
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const [blocking, ...behind] = await deadLetters.list({ pipelineName: definition.name });
    expect(blocking).toMatchObject({ key: 'poison', parkedBehindId: null, attempts: 5, record: events[0]?.record });
    expect(blocking?.errorMessage).toContain(`dynamodb stream sequence ${firstBatch[0]?.dynamodb?.SequenceNumber}`);
    expect(behind.map((entry) => [entry.key, entry.parkedBehindId, entry.record])).toEqual([
      ['poison', blocking?.id, events[2]?.record],
      ['poison', blocking?.id, later[0]?.record],
    ]);
    expect(harness.applied()).toEqual({ fine: [1, 2] });
  });

  it('reports the lowest sequence number it could not park, starts nothing after it, and finishes everything on redelivery', async () => {
    // given a dead-letter store that refuses parks
    harness.seen.broken.add('poison');
    const table = await createEventsTable();
    await write(table, await harness.events('a', 'poison', 'a', 'b', 'poison'));
    const records = await readStream(table);
    harness.refuseParks();
    const runner = harness.runner({ concurrency: 1 });
    // when
    const response = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, records), lambdaInvocation());
    // then
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }]);
    expect(harness.applied()).toEqual({ a: [1] });
    // when Lambda delivers the shard again from the reported sequence number, the store back
    harness.acceptParks();
    const retry = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, records.slice(1)), lambdaInvocation());
    // then
    expect(retry.batchItemFailures).toEqual([]);
    expect(harness.applied()).toEqual({ a: [1, 2], b: [1] });
    expect((await harness.parked()).map((entry) => entry.key)).toEqual(['poison', 'poison']);
  });

  it('reports the event whose retries the deadline cut short, and applies it on redelivery', async () => {
    // given an aggregate held failing, retries 30 s apart, and 1.5 s left of which 1 s is the safety margin
    const gate = new Gate();
    harness.seen.gates.set('slow', gate);
    const table = await createEventsTable();
    await write(table, await harness.events('fast', 'slow', 'fast'));
    const records = await readStream(table);
    const runner = harness.runner({ initialBackoffMs: 60_000, maxBackoffMs: 60_000, random: () => 0.5 });
    // when
    const response = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, records), lambdaInvocation(1500));
    // then
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }]);
    expect(await harness.parked()).toEqual([]);
    gate.open();
    const retry = await runner.dynamoDbStream(dynamoDbStreamEvent(table.streamArn, records.slice(1)), lambdaInvocation());
    expect(retry.batchItemFailures).toEqual([]);
    expect(harness.applied()).toEqual({ fast: [1, 2], slow: [1] });
  });

  async function createEventsTable(): Promise<TestTable> {
    const name = uniqueName('events');
    await createDynamoDbTable(dynamodb, name, EVENTS_TABLE);
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return { name, streamArn: Table?.LatestStreamArn as string };
  }

  /** One item per event, as the event store writes it (the attributes the stream's readers use). */
  async function write(table: TestTable, events: readonly OrderEvent[]): Promise<void> {
    for (const event of events) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table.name,
          Item: {
            [EVENT_ATTRIBUTES.aggregateId]: { S: event.key },
            [EVENT_ATTRIBUTES.version]: { N: String(event.version) },
            [EVENT_ATTRIBUTES.eventId]: { S: event.eventId },
            [EVENT_ATTRIBUTES.record]: { B: event.record },
          },
        }),
      );
    }
  }

  /** The stream's records (one shard in moto), from the start, skipping the first `skip`. */
  async function readStream(table: TestTable, skip = 0): Promise<StreamRecord[]> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: table.streamArn }));
    const records: StreamRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const iterator = await streams.send(new GetShardIteratorCommand({ StreamArn: table.streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      let next = iterator.ShardIterator;
      while (next) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: next }));
        records.push(...(page.Records ?? []));
        next = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records.slice(skip);
  }
});
