import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { Context } from 'aws-lambda';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { openEngineStage, setEnv } from '../engines/engineStage';
import type { EngineStage } from '../engines/engineStage';
import { motoClientConfig } from '../engines/awsTestClients';
import { dynamoDbStreamEvent, httpApiEvent, kinesisEvent } from '../engines/lambdaEvents';
import { eventsTableStreamRecords, kinesisShardRecords } from '../engines/streamRecords';
import { MOTO_ACCOUNT } from '../engines/snsSqsMessaging';
import { captureStdoutPerTest } from '../support/capturedStdout';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'sa-east-1';
const SECRET = 'lambda-handlers-test-secret-0123456789abcdef';
const SERVICE = 'nexus-lambda-test';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
interface ApiResult {
  statusCode: number;
  headers?: Record<string, string | string[]>;
  body: string;
}
type PipelineResult = { batchItemFailures: { itemIdentifier: string }[] };

describe('the Lambda handlers, invoked in-process with Lambda-shaped events against moto and OpenSearch', () => {
  const aws = { ...motoClientConfig(), region: REGION, maxAttempts: 1 };
  const dynamo = new DynamoDBClient(aws);
  const streams = new DynamoDBStreamsClient(aws);
  const kinesis = new KinesisClient(aws);
  let engine: EngineStage | undefined;
  let names: AwsResourceNames;
  const stdout = captureStdoutPerTest();
  let orderId: string;
  let kinesisSeen = 0;

  beforeAll(async () => {
    engine = await openEngineStage({ prefix: 'lambda', region: REGION, serviceName: SERVICE, env: { NEXUS_JWT_SECRET: SECRET } });
    names = engine.names;
  });


  afterAll(async () => {
    await engine?.tearDown();
    for (const client of [dynamo, streams, kinesis]) client.destroy();
  });

  it('accepts a command through an HTTP API v2 event (202), with its metrics in EMF and the correlation id on every log line', async () => {
    // given the API function
    const api = load<Handler<unknown, ApiResult>>('../../handlers/aws/lambda/api', {});
    // when
    const response = await api(httpEvent('POST', '/api/commands/PlaceOrder', { customerId: 'cust-lambda', items: [{ sku: 'A', quantity: 2, unitPrice: 5 }], currency: 'EUR' }, 'corr-lambda-1'), lambdaContext('api'));
    // then
    expect(response.statusCode).toBe(202);
    orderId = (JSON.parse(response.body) as { aggregateId: string }).aggregateId;
    expect(JSON.parse(response.body)).toMatchObject({ correlationId: 'corr-lambda-1', version: 1 });
    const metrics = stdout.emfLines();
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Nexus', Dimensions: [['service']] }] }, service: SERVICE, EventsAppended: 1, CommandErrors: 0 });
    expect(metricNames(metrics[0])).toEqual(['CommandErrors', 'CommandLatency', 'EventsAppended']);
    const logs = stdout.logLines();
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line).toMatchObject({ correlationId: 'corr-lambda-1', service: SERVICE, function_name: 'api' });
    expect(logs.map((line) => line.message)).toContain('request answered');
  });

  it('gives a request without a correlation id one, and logs it with the id the client gets back', async () => {
    // given
    const api = load<Handler<unknown, ApiResult>>('../../handlers/aws/lambda/api', {});
    // when
    const response = await api(httpEvent('GET', '/api/queries/orders', undefined), lambdaContext('api'));
    // then
    expect(response.statusCode).toBe(200);
    const given = response.headers?.['x-correlation-id'];
    expect(typeof given).toBe('string');
    expect(stdout.logLines().map((line) => line.correlationId)).toEqual([given]);
    expect(metricNames(stdout.emfLines()[0])).toEqual(['QueryLatency']);
  });

  it('routes the appended event from a DynamoDB Streams event to the core stream (the router function)', async () => {
    // given the events table's stream records, as Lambda delivers them
    const { streamArn, records } = await eventsStreamRecords();
    const router = load<Handler<unknown, PipelineResult>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'router' });
    // when
    const response = await router(dynamoDbStreamEvent(streamArn, records), lambdaContext('routerPipeline'));
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await coreStreamRecords()).map((record) => record.PartitionKey)).toEqual([orderId]);
    // exactly the dimension set the template's alarms name: CloudWatch matches metrics on all their dimensions
    const [routed] = stdout.emfLines();
    expect((routed?._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics.map((directive) => directive.Dimensions.map((set) => [...set].sort()))).toEqual([[['pipeline', 'service']]]);
    expect(routed).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Nexus' }] }, pipeline: 'router', RecordsIn: 1, RecordsOut: 1, RecordsFailed: 0, RecordsParked: 0 });
  });

  it('projects the order from a Kinesis event of the core stream (order-list), after which the API answers the query', async () => {
    // given the core stream's records
    const { streamArn, shardId, records } = await coreStreamEvent();
    kinesisSeen += records.length;
    const orderList = load<Handler<unknown, PipelineResult>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'order-list' });
    // when
    const response = await orderList(kinesisEvent(streamArn, [{ shardId, records }]), lambdaContext('orderListPipeline'));
    const api = load<Handler<unknown, ApiResult>>('../../handlers/aws/lambda/api', {});
    const query = await api(httpEvent('GET', `/api/queries/orders/${orderId}`, undefined, 'corr-lambda-2'), lambdaContext('api'));
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    const [pipelineMetrics] = stdout.emfLines();
    expect(pipelineMetrics).toMatchObject({ service: SERVICE, pipeline: 'order-list', RecordsIn: 1, RecordsOut: 1, RecordsFailed: 0, RecordsParked: 0 });
    expect(metricNames(pipelineMetrics)).toEqual(['PipelineLag', 'RecordsFailed', 'RecordsIn', 'RecordsOut', 'RecordsParked']);
    expect(query.statusCode).toBe(200);
    expect(JSON.parse(query.body)).toMatchObject({ customerId: 'cust-lambda', status: 'PLACED' });
  });

  it('parks a poison record and reports it in RecordsParked, answering no batch item failure', async () => {
    // given a record on the core stream that is no Glue-framed envelope
    await kinesis.send(new PutRecordCommand({ StreamName: names.coreStream, PartitionKey: 'poison-key', Data: Buffer.from('not an envelope') }));
    const { streamArn, shardId, records } = await coreStreamEvent(kinesisSeen);
    kinesisSeen += records.length;
    const orderList = load<Handler<unknown, PipelineResult>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'order-list' });
    // when
    const response = await orderList(kinesisEvent(streamArn, [{ shardId, records }]), lambdaContext('orderListPipeline'));
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    expect(stdout.emfLines()[0]).toMatchObject({ pipeline: 'order-list', RecordsIn: 1, RecordsOut: 0, RecordsParked: 1, RecordsFailed: 0 });
    const parked = await deadLetters().list({ pipelineName: 'order-list' });
    expect(parked.map((entry) => entry.key)).toEqual(['poison-key']);
  });

  it('reports the record as a batch item failure when OpenSearch is down, instead of parking it', async () => {
    // given an order-list function whose OpenSearch endpoint does not answer, and a good record
    const { streamArn, shardId, records } = await coreStreamEvent();
    const good = records.filter((record) => record.PartitionKey === orderId);
    const orderList = load<Handler<unknown, PipelineResult>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'order-list', NEXUS_OPENSEARCH_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    // when
    const response = await orderList(kinesisEvent(streamArn, [{ shardId, records: good }]), lambdaContext('orderListPipeline'));
    // then
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: good[0]?.SequenceNumber }] });
    expect(stdout.emfLines()[0]).toMatchObject({ pipeline: 'order-list', RecordsIn: 1, RecordsOut: 0, RecordsParked: 0, RecordsFailed: 1 });
    expect((await deadLetters().list({ pipelineName: 'order-list' })).map((entry) => entry.key)).toEqual(['poison-key']);
  });

  it('refuses to start a pipeline function whose NEXUS_PIPELINE names no declared pipeline', async () => {
    // given
    const unknown = load<Handler<unknown, PipelineResult>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'order-lsit' });
    // when
    const invocation = unknown({ Records: [] }, lambdaContext('orderLsitPipeline'));
    // then
    await expect(invocation).rejects.toThrow('NEXUS_PIPELINE names no declared pipeline: "order-lsit"; declared in pipelines/index.ts: router, order-list, order-notices');
  });

  it('emits ParkedRecords for every declared pipeline, zeros included (the dead-letter gauge)', async () => {
    // given
    const gauge = load<Handler<unknown, Record<string, number>>>('../../handlers/aws/lambda/deadLetterGauge', {});
    // when
    const counts = await gauge({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, lambdaContext('deadLetterGauge'));
    // then
    expect(counts).toEqual({ router: 0, 'order-list': 1, 'order-notices': 0, fulfilment: 0 });
    const lines = stdout.emfLines();
    expect(lines.map((line) => [line.pipeline, line.ParkedRecords])).toEqual([
      ['router', 0],
      ['order-list', 1],
      ['order-notices', 0],
      ['fulfilment', 0],
    ]);
    for (const line of lines) expect(line).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Nexus', Metrics: [{ Name: 'ParkedRecords', Unit: 'Count' }] }] }, service: SERVICE });
    for (const line of lines) expect((line._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Dimensions.map((set) => [...set].sort())).toEqual([['pipeline', 'service']]);
  });

  it('lists, redrives and skips dead letters on direct invocation, as the CLI does', async () => {
    // given a real order event parked by order-list (its read model then behind), beside the poison record
    const redrive = load<Handler<unknown, Record<string, unknown>>>('../../handlers/aws/lambda/redrive', {});
    const { records } = await coreStreamEvent();
    const event = records.find((record) => record.PartitionKey === orderId) as KinesisRecord;
    const store = deadLetters();
    const parkedGood = await store.park({ pipelineName: 'order-list', key: 'order-redriven', sourcePosition: 1, record: Buffer.from(event.Data as Uint8Array), errorCode: 'READ_MODEL_UNAVAILABLE', errorMessage: 'OpenSearch was down', attempts: 5, parkedBehindId: null });
    const [poison] = await store.list({ pipelineName: 'order-list', key: 'poison-key' });
    // when
    const listed = await redrive({ action: 'list', pipeline: 'order-list' }, lambdaContext('redrive'));
    const redriven = await redrive({ action: 'redrive', pipeline: 'order-list', key: 'order-redriven' }, lambdaContext('redrive'));
    const skipped = await redrive({ action: 'skip', id: poison?.id }, lambdaContext('redrive'));
    // then
    expect((listed.entries as { key: string }[]).map((entry) => entry.key)).toEqual(['poison-key', 'order-redriven']);
    expect(redriven).toEqual({ action: 'redrive', redriven: 1, failed: [] });
    expect(skipped).toMatchObject({ action: 'skip', entry: { id: poison?.id, status: 'skipped' } });
    expect((await store.get(parkedGood.id)).status).toBe('redriven');
  });

  it.each([
    [{ action: 'purge' }, 'INVALID_REDRIVE_REQUEST', 'action'],
    [{ action: 'skip' }, 'INVALID_REDRIVE_REQUEST', 'id'],
    [{ action: 'redrive' }, 'INVALID_REDRIVE_REQUEST', 'pipeline'],
    [{ action: 'skip', id: 'seven' }, 'INVALID_REDRIVE_REQUEST', 'id'],
    [{ action: 'redrive', pipeline: 'order-lsit' }, 'UNKNOWN_PIPELINE', 'pipeline'],
    [{ action: 'skip', id: 999_999 }, 'DEAD_LETTER_NOT_FOUND', 'id'],
  ])('answers the bad request %j with an error naming %s and the field %s', async (request, code, field) => {
    // given
    const redrive = load<Handler<unknown, Record<string, unknown>>>('../../handlers/aws/lambda/redrive', {});
    // when
    const answer = await redrive(request, lambdaContext('redrive'));
    // then
    expect(answer).toEqual({ error: { code, field, message: expect.any(String) } });
  });

  function deadLetters(): DynamoDbDeadLetterStore {
    return new DynamoDbDeadLetterStore({ client: dynamo, tableName: names.deadLettersTable });
  }

  async function eventsStreamRecords(): Promise<{ streamArn: string; records: StreamRecord[] }> {
    return eventsTableStreamRecords({ dynamo, streams }, names.eventsTable);
  }

  async function coreStreamRecords(): Promise<KinesisRecord[]> {
    return (await coreStreamEvent()).records;
  }

  /** The core stream's records (one shard), skipping the first `skip`. */
  async function coreStreamEvent(skip = 0): Promise<{ streamArn: string; shardId: string; records: KinesisRecord[] }> {
    return kinesisShardRecords(kinesis, names.coreStream, skip);
  }
});

/** Loads a handler module afresh (a new container) with `env` over the suite's environment; the env stays set while it runs. */
function load<H>(path: string, env: Record<string, string>): H {
  const restore = setEnv(env);
  afterEachOnce(restore);
  let loaded: { handler: H } | undefined;
  jest.isolateModules(() => {
    // A fresh module registry per load is a fresh container: only require() can load into it synchronously.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path) as { handler: H };
  });
  return (loaded as { handler: H }).handler;
}

const pendingRestores: (() => void)[] = [];
function afterEachOnce(restore: () => void): void {
  pendingRestores.push(restore);
}
afterEach(() => {
  for (const restore of pendingRestores.splice(0).reverse()) restore();
});


function token(): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'lambda-admin', roles: ['admin'], iat: now, exp: now + 3600 })}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

/** An API Gateway HTTP API event, payload format 2.0, with the suite's token. */
function httpEvent(method: string, path: string, body: unknown, correlationId?: string): Record<string, unknown> {
  return httpApiEvent(method, path, body, { token: token(), accountId: MOTO_ACCOUNT, ...(correlationId ? { correlationId } : {}) });
}

function lambdaContext(functionName: string, remainingMs = 60_000): Context {
  const endsAt = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `request-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function metricNames(line: Record<string, unknown> | undefined): string[] {
  const directives = (line?._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics;
  return directives.flatMap((directive) => directive.Metrics.map((metric) => metric.Name)).sort();
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
