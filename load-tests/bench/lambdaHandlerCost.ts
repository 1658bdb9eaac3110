import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { Message } from '@aws-sdk/client-sqs';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import type { Database } from 'better-sqlite3';
import { eventItem } from '../../adapters/aws/dynamoDbEventItems';
import { DEFAULT_TIME_INDEX_SHARDS, EVENT_ATTRIBUTES } from '../../adapters/aws/tables/eventsTable';
import { SqliteCheckpointStore, SqliteDeadLetterStore, SqliteReadModelStore, SqliteStreamLog, SqliteTopicPublisher } from '../../adapters/embedded';
import { SqliteUnitOfWork } from '../../adapters/embedded/SqliteUnitOfWork';
import { silentLogger } from '../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import { LambdaBatchRunner } from '../../core/pipeline/lambda/LambdaBatchRunner';
import type { LambdaBatchResponse } from '../../core/pipeline/lambda/LambdaBatchRunner';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { EventCodec } from '../../core/schema/EventCodec';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../domain';
import orderList from '../../pipelines/order-list';
import router from '../../pipelines/router';
import { topics as declaredTopics } from '../../pipelines/routing';
import { dynamoDbStreamEvent, kinesisEvent, lambdaInvocation, sqsEvent } from '../../test/engines/lambdaEvents';
import { benchCodec, coreRecords, scratch } from './benchFixtures';
import type { BenchRecord, Scratch } from './benchFixtures';

/** The three event source shapes a Lambda handler of Nexus receives. */
export type LambdaSourceShape = 'kinesis' | 'sqs' | 'dynamodb';

/**
 * Records per invocation, as a deployment would configure the event source mappings: Kinesis
 * and DynamoDB Streams 100 (Lambda's default), SQS 10 (the default, and the most a FIFO queue
 * delivers).
 */
export const LAMBDA_BATCH_SIZES: Readonly<Record<LambdaSourceShape, number>> = { kinesis: 100, sqs: 10, dynamodb: 100 };

/** What the bench measures: a pipeline on a source shape. The router reads the event table's stream only. */
export const LAMBDA_CASES = [
  { pipeline: 'order-list', shape: 'kinesis' },
  { pipeline: 'order-list', shape: 'sqs' },
  { pipeline: 'order-list', shape: 'dynamodb' },
  { pipeline: 'router', shape: 'dynamodb' },
] as const satisfies readonly { pipeline: 'order-list' | 'router'; shape: LambdaSourceShape }[];

export type LambdaCase = (typeof LAMBDA_CASES)[number];
export type BenchPipeline = LambdaCase['pipeline'];

/** CPU (user + system, all threads of the process) and wall time one side spent on its records. */
export interface SideCost {
  records: number;
  cpuUs: number;
  wallMs: number;
}

/** One run: every case's Lambda side, and the embedded runner on the same records per pipeline. */
export interface LambdaCostRun {
  lambda: { pipeline: BenchPipeline; shape: LambdaSourceShape; batchSize: number; cost: SideCost }[];
  embedded: Record<BenchPipeline, SideCost>;
}

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/nexus-core';
const SHARD_ID = 'shardId-000000000000';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:nexus-order-events.fifo';
const TABLE_STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/nexus-events/stream/2030-01-01T00:00:00.000';

/**
 * CPU per record of the {@link LambdaBatchRunner} in-process, per source shape, against the
 * {@link EmbeddedPipelineRunner} on the same records in the same run (each on fresh SQLite files).
 *
 * Lambda side: each event is built before the clock starts, as Lambda's runtime receives it (a
 * JSON text), and per invocation `JSON.parse` + the handler (`runner.kinesis` / `sqs` /
 * `dynamoDbStream`) are measured; one runner serves every invocation, as in a warm container.
 * Sinks are the embedded ones: SQLite read models for order-list, and for the router the
 * SQLite stream log and topics (so the comparison isolates the runner, not Kinesis or SNS
 * clients). Each invocation runs in one SQLite unit of work, one commit per invocation, as the
 * embedded runner commits once per batch (a commit per upsert would measure SQLite, not the
 * runner). Embedded side: the same records in a stream log, read by the runner with its defaults.
 * `lambdaFirst` alternates which side runs first (the first runs colder).
 */
export async function measureLambdaHandlerCost(orders: number, lambdaFirst = false): Promise<LambdaCostRun> {
  const setup = scratch();
  try {
    const codec = await benchCodec(setup.open('schemas.db'));
    const records = await coreRecords(codec, orders);
    const events = await lambdaEventTexts(codec, records);
    const lambda: LambdaCostRun['lambda'] = [];
    const embedded = {} as Record<BenchPipeline, SideCost>;
    const runLambda = async (): Promise<void> => {
      for (const { pipeline, shape } of LAMBDA_CASES) {
        lambda.push({ pipeline, shape, batchSize: LAMBDA_BATCH_SIZES[shape], cost: await lambdaSide(setup, codec, pipeline, shape, events[shape], records.length) });
      }
    };
    const runEmbedded = async (): Promise<void> => {
      for (const pipeline of ['order-list', 'router'] as const) embedded[pipeline] = await embeddedSide(setup, codec, pipeline, records);
    };
    if (lambdaFirst) {
      await runLambda();
      await runEmbedded();
    } else {
      await runEmbedded();
      await runLambda();
    }
    return { lambda, embedded };
  } finally {
    setup.dispose();
  }
}

/** The records as the JSON texts of Lambda events of each shape, batched at {@link LAMBDA_BATCH_SIZES}. */
export async function lambdaEventTexts(codec: EventCodec, records: readonly BenchRecord[]): Promise<Record<LambdaSourceShape, string[]>> {
  const texts = (events: readonly object[]): string[] => events.map((event) => JSON.stringify(event));
  return {
    kinesis: texts(kinesisEvents(records)),
    sqs: texts(sqsEvents(records)),
    dynamodb: texts(await dynamoDbStreamEvents(codec, records)),
  };
}

/** Kinesis events of one shard, as the core stream's publisher writes them (partition key = aggregate id). */
export function kinesisEvents(records: readonly BenchRecord[], batchSize = LAMBDA_BATCH_SIZES.kinesis): KinesisStreamEvent[] {
  const arrivedAt = new Date();
  return batches(records, batchSize).map((batch, index) => {
    const shardRecords: KinesisRecord[] = batch.map((record, offset) => ({
      SequenceNumber: kinesisSequenceNumber(index * batchSize + offset),
      Data: record.record,
      PartitionKey: record.key,
      ApproximateArrivalTimestamp: arrivedAt,
    }));
    return kinesisEvent(STREAM_ARN, [{ shardId: SHARD_ID, records: shardRecords }]);
  });
}

/**
 * SQS events of a FIFO subscriber queue fed by SNS with raw delivery: the body is the base64 of
 * the envelope, the message group id the aggregate id (what `sqsRecords` keys on).
 */
export function sqsEvents(records: readonly BenchRecord[], batchSize = LAMBDA_BATCH_SIZES.sqs): SQSEvent[] {
  const sentAt = String(Date.now());
  return batches(records, batchSize).map((batch, index) => {
    const messages: Message[] = batch.map((record, offset) => ({
      MessageId: record.eventId,
      ReceiptHandle: `receipt-${record.eventId}`,
      Body: record.record.toString('base64'),
      MD5OfBody: '',
      Attributes: { MessageGroupId: record.key, MessageDeduplicationId: record.eventId, SequenceNumber: kinesisSequenceNumber(index * batchSize + offset), SentTimestamp: sentAt, ApproximateReceiveCount: '1' },
      MessageAttributes: { [EVENT_ATTRIBUTES.aggregateId]: { DataType: 'String', StringValue: record.key } },
    }));
    return sqsEvent(QUEUE_ARN, messages);
  });
}

/** DynamoDB Streams events of the events table: INSERTs whose NEW_IMAGE is the item the DynamoDB event store writes. */
export async function dynamoDbStreamEvents(codec: EventCodec, records: readonly BenchRecord[], batchSize = LAMBDA_BATCH_SIZES.dynamodb): Promise<DynamoDBStreamEvent[]> {
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const items = await Promise.all(records.map(async (record) => eventItem({ envelope: await codec.decodeEnvelope(record.record), record: record.record }, DEFAULT_TIME_INDEX_SHARDS)));
  return batches(items, batchSize).map((batch, index) => {
    const streamRecords: StreamRecord[] = batch.map((item, offset) => ({
      eventID: `event-${index * batchSize + offset}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      dynamodb: {
        ApproximateCreationDateTime: createdAt,
        Keys: { [EVENT_ATTRIBUTES.aggregateId]: item[EVENT_ATTRIBUTES.aggregateId] as StreamAttribute, [EVENT_ATTRIBUTES.version]: item[EVENT_ATTRIBUTES.version] as StreamAttribute },
        NewImage: item as Record<string, StreamAttribute>,
        SequenceNumber: (10n ** 20n + BigInt(index * batchSize + offset)).toString(),
        SizeBytes: 0,
        StreamViewType: 'NEW_IMAGE',
      },
    }));
    return dynamoDbStreamEvent(TABLE_STREAM_ARN, streamRecords);
  });
}

type StreamAttribute = NonNullable<NonNullable<StreamRecord['dynamodb']>['NewImage']>[string];

/** A Kinesis-like sequence number: 56 digits, past 2^53 as real ones are. */
function kinesisSequenceNumber(index: number): string {
  return `4959${String(index).padStart(52, '0')}`;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** The pipeline, its SQLite stores and context on one fresh database. */
function wired(db: Database, codec: EventCodec, pipeline: BenchPipeline): { definition: PipelineDefinition; context: PipelineContext; streams: SqliteStreamLog; deadLetters: SqliteDeadLetterStore } {
  const definition = pipeline === 'router' ? router : orderList;
  const streams = new SqliteStreamLog(db);
  const deadLetters = new SqliteDeadLetterStore(db);
  const context: PipelineContext = {
    pipelineName: definition.name,
    codec,
    upcasters: new UpcasterRegistry(orderUpcasters),
    readModels: new SqliteReadModelStore(db),
    publisher: streams,
    topics: new SqliteTopicPublisher(db, declaredTopics),
    logger: silentLogger,
  };
  return { definition, context, streams, deadLetters };
}

async function lambdaSide(setup: Scratch, codec: EventCodec, pipeline: BenchPipeline, shape: LambdaSourceShape, events: readonly string[], expected: number): Promise<SideCost> {
  const db = setup.open(`lambda-${pipeline}-${shape}.db`);
  const { definition, context, deadLetters } = wired(db, codec, pipeline);
  const runner = new LambdaBatchRunner(definition, { deadLetters, context });
  const unit = SqliteUnitOfWork.of(db);
  const handle = (text: string): Promise<LambdaBatchResponse> => {
    if (shape === 'kinesis') return runner.kinesis(JSON.parse(text) as KinesisStreamEvent, lambdaInvocation());
    if (shape === 'sqs') return runner.sqs(JSON.parse(text) as SQSEvent, lambdaInvocation());
    return runner.dynamoDbStream(JSON.parse(text) as DynamoDBStreamEvent, lambdaInvocation());
  };
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  for (const text of events) {
    const response = await unit.run(() => handle(text));
    if (response.batchItemFailures.length > 0) throw new Error(`${pipeline} on ${shape}: an invocation reported ${response.batchItemFailures.length} failures`);
  }
  const cost = spent(cpuBefore, startedAt, expected);
  const { recordsOut, recordsParked } = runner.metrics();
  if (recordsOut !== expected || recordsParked !== 0) throw new Error(`${pipeline} on ${shape} applied ${recordsOut} of ${expected} records (${recordsParked} parked)`);
  return cost;
}

async function embeddedSide(setup: Scratch, codec: EventCodec, pipeline: BenchPipeline, records: readonly BenchRecord[]): Promise<SideCost> {
  const db = setup.open(`embedded-${pipeline}.db`);
  const { definition, context, streams, deadLetters } = wired(db, codec, pipeline);
  // The router reads the event store's feed in the embedded system; here a stream log holds the
  // same bytes, so both pipelines read the same source adapter and only the pipeline differs.
  const sourceName = pipeline === 'router' ? 'events' : 'core';
  for (let i = 0; i < records.length; i += 5000) {
    await streams.publish(sourceName, records.slice(i, i + 5000).map((r) => ({ key: r.key, record: r.record, deduplicationId: r.eventId })));
  }
  const runner = new EmbeddedPipelineRunner(definition, { source: streams.source(sourceName), checkpoints: new SqliteCheckpointStore(db), deadLetters, context });
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await runner.start();
  await runner.whenCaughtUp(120_000);
  const cost = spent(cpuBefore, startedAt, records.length);
  await runner.stop();
  const { recordsOut, recordsParked } = runner.metrics();
  if (recordsOut !== records.length || recordsParked !== 0) throw new Error(`embedded ${pipeline} applied ${recordsOut} of ${records.length} records (${recordsParked} parked)`);
  return cost;
}

function spent(cpuBefore: NodeJS.CpuUsage, startedAt: number, records: number): SideCost {
  const wallMs = performance.now() - startedAt;
  const { user, system } = process.cpuUsage(cpuBefore);
  return { records, cpuUs: user + system, wallMs };
}
