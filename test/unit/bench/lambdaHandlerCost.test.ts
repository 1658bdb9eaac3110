import type { DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { dynamoDbStreamRecords } from '../../../core/pipeline/lambda/dynamoDbStreamRecords';
import { kinesisRecords } from '../../../core/pipeline/lambda/kinesisRecords';
import { compareSequenceNumbers } from '../../../core/pipeline/lambda/sequenceNumbers';
import { sqsRecords } from '../../../core/pipeline/lambda/sqsRecords';
import type { AvroEventCodec } from '../../../core/schema/AvroEventCodec';
import { benchCodec, coreRecords, scratch } from '../../../load-tests/bench/benchFixtures';
import type { BenchRecord, Scratch } from '../../../load-tests/bench/benchFixtures';
import { LAMBDA_CASES, lambdaEventTexts, measureLambdaHandlerCost } from '../../../load-tests/bench/lambdaHandlerCost';

// The lambda bench group's building blocks: the events it feeds the handlers must be what Lambda
// delivers and carry the bench's records unchanged, in order, with the key the runner orders by;
// otherwise its CPU per record measures something else. Timings are never asserted.

describe('lambda handler cost bench', () => {
  let setup: Scratch;
  let codec: AvroEventCodec;
  let records: BenchRecord[];

  beforeAll(async () => {
    setup = scratch();
    codec = await benchCodec(setup.open('schemas.db'));
    // 70 orders x 3 events = 210 records: batches of 100 and 10 both end with a partial one.
    records = await coreRecords(codec, 70);
  });

  afterAll(() => setup.dispose());

  it('delivers the records as Kinesis events of 100 from one shard, with the envelope bytes, the aggregate id as partition key and rising sequence numbers', async () => {
    // given
    const texts = (await lambdaEventTexts(codec, records)).kinesis;
    // when
    const read = texts.map((text) => kinesisRecords(JSON.parse(text) as KinesisStreamEvent));
    // then
    expect(read.map((batch) => batch.length)).toEqual([100, 100, 10]);
    const flat = read.flat();
    expect(flat.map((record) => record.record)).toEqual(records.map((record) => record.record));
    expect(flat.map((record) => record.key)).toEqual(records.map((record) => record.key));
    expect(new Set(flat.map((record) => record.shard)).size).toBe(1);
    for (let i = 1; i < flat.length; i += 1) expect(compareSequenceNumbers(flat[i]?.sequenceNumber ?? '', flat[i - 1]?.sequenceNumber ?? '')).toBeGreaterThan(0);
  });

  it('delivers the records as SQS FIFO events of 10 whose base64 body is the envelope and whose message group is the aggregate id', async () => {
    // given
    const texts = (await lambdaEventTexts(codec, records)).sqs;
    // when
    const read = texts.map((text) => sqsRecords(JSON.parse(text) as SQSEvent));
    // then
    expect(read).toHaveLength(21);
    expect(read.every((batch) => batch.length === 10)).toBe(true);
    const flat = read.flat();
    expect(flat.map((record) => record.record)).toEqual(records.map((record) => record.record));
    expect(flat.map((record) => record.key)).toEqual(records.map((record) => record.key));
    expect(flat.map((record) => record.itemIdentifier)).toEqual(records.map((record) => record.eventId));
  });

  it('delivers the records as DynamoDB Streams INSERTs of 100 whose new image is the event item, read back as the envelope and aggregate id', async () => {
    // given
    const texts = (await lambdaEventTexts(codec, records)).dynamodb;
    // when
    const events = texts.map((text) => JSON.parse(text) as DynamoDBStreamEvent);
    const read = events.map((event) => dynamoDbStreamRecords(event));
    // then
    expect(read.map((batch) => batch.length)).toEqual([100, 100, 10]);
    const flat = read.flat();
    expect(flat.map((record) => record.record)).toEqual(records.map((record) => record.record));
    expect(flat.map((record) => record.key)).toEqual(records.map((record) => record.key));
    const first = events[0]?.Records[0];
    const envelope = await codec.decodeEnvelope(records[0]?.record ?? Buffer.alloc(0));
    expect(first?.eventName).toBe('INSERT');
    expect(first?.dynamodb?.NewImage?.version).toEqual({ N: String(envelope.aggregateVersion) });
    expect(first?.dynamodb?.NewImage?.eventType).toEqual({ S: envelope.eventType });
  });

  it('runs every case and the embedded runner over every record, each applied and none parked or reported', async () => {
    // given 20 orders (60 records); when
    const run = await measureLambdaHandlerCost(20);
    // then (the bench throws when a side applies fewer records, parks one or reports a failure)
    expect(run.lambda.map(({ pipeline, shape, batchSize }) => ({ pipeline, shape, batchSize }))).toEqual(
      LAMBDA_CASES.map(({ pipeline, shape }) => ({ pipeline, shape, batchSize: shape === 'sqs' ? 10 : 100 })),
    );
    expect(run.lambda.map((entry) => entry.cost.records)).toEqual([60, 60, 60, 60]);
    expect(run.embedded['order-list'].records).toBe(60);
    expect(run.embedded.router.records).toBe(60);
  });
});
