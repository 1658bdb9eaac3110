import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { schemaFilesDigest } from '../../core/schema/schemaFilesDigest';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { createAwsResources } from '../engines/awsResources';
import { engineFunctionEnvironment } from '../engines/functionEnvironment';
import { motoClientConfig, motoEndpoint } from '../engines/awsTestClients';
import { invokeBundle, runtimeModules, unpackFunction } from '../engines/bundledHandler';
import type { UnpackedFunction } from '../engines/bundledHandler';
import { dynamoDbStreamEvent, httpApiEvent, kinesisEvent } from '../engines/lambdaEvents';
import { startResponseUrlServer } from '../engines/responseUrlServer';
import type { ResponseUrlServer } from '../engines/responseUrlServer';
import { MOTO_ACCOUNT } from '../engines/snsSqsMessaging';
import { eventsTableStreamRecords, kinesisShardRecords } from '../engines/streamRecords';
import { packagedService, REPOSITORY_ROOT } from '../support/packagedService';

jest.setTimeout(180_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'ap-southeast-2';
const SECRET = 'packaged-bundles-test-secret-0123456789abcdef';

interface ApiResult {
  statusCode: number;
  body: string;
}
interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

describe('the packaged bundles, each loaded by a fresh process with only the SDK beside it and invoked with Lambda-shaped events', () => {
  const aws = { ...motoClientConfig(), region: REGION, maxAttempts: 1 };
  const dynamo = new DynamoDBClient(aws);
  const streams = new DynamoDBStreamsClient(aws);
  const kinesis = new KinesisClient(aws);
  let scratch: string;
  let modules: string;
  let names: AwsResourceNames;
  let environment: Record<string, string>;
  let deleteRegistry: () => Promise<void>;
  let responses: ResponseUrlServer;
  const unpacked: Record<string, UnpackedFunction> = {};

  beforeAll(async () => {
    const service = await packagedService();
    scratch = mkdtempSync(join(tmpdir(), 'nexus-bundles-'));
    modules = runtimeModules(scratch, REPOSITORY_ROOT);
    for (const key of ['schemas', 'api', 'routerPipeline', 'orderListPipeline']) unpacked[key] = await unpackFunction(service.zips[key] ?? '', scratch, key);
    const stage = `bundles-${process.pid}-${Date.now().toString(36)}`;
    names = awsResourceNames(stage);
    ({ deleteRegistry } = await createAwsResources({ endpoint: motoEndpoint(), region: REGION }, stage, names));
    responses = await startResponseUrlServer();
    // What the stack's environment gives every function (deploy/environment.ts), pointed at the engines.
    environment = engineFunctionEnvironment({ stage, region: REGION, serviceName: `nexus-${stage}`, logLevel: 'warn' });
  });

  afterAll(async () => {
    await responses?.close();
    await deleteRegistry?.().catch(() => undefined);
    for (const client of [dynamo, streams, kinesis]) client.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('registers the packaged schemas/ (the schemas function as the NexusSchemas custom resource)', async () => {
    // given CloudFormation's Create request
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:ap-southeast-2:123456789012:function:schemas',
      ResponseURL: responses.url(),
      StackId: 'arn:aws:cloudformation:ap-southeast-2:123456789012:stack/nexus/1',
      RequestId: 'request-1',
      LogicalResourceId: 'NexusSchemas',
      ResourceType: 'Custom::NexusSchemas',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:ap-southeast-2:123456789012:function:schemas', RegistryName: names.glueRegistry, SchemasHash: schemaFilesDigest(join(REPOSITORY_ROOT, 'schemas')) },
    };
    // when
    await invokeBundle(unpacked['schemas'] as UnpackedFunction, event, { ...environment, NEXUS_GLUE_REGISTRY: names.glueRegistry }, modules, 'schemas');
    // then
    expect(responses.received.map((response) => response.body?.['Status'])).toEqual(['SUCCESS']);
  });

  it('carries a command from the API through the router and order-list to a query', async () => {
    // given the API function (its token settings as the stage parameters give them)
    const api = { ...environment, NEXUS_JWT_SECRET: SECRET };
    // when a command is accepted
    const placed = await invokeBundle<ApiResult>(unpacked['api'] as UnpackedFunction, command(), api, modules, 'api');
    expect(placed.result.statusCode).toBe(202);
    const orderId = (JSON.parse(placed.result.body) as { aggregateId: string }).aggregateId;
    // and the router gets the events table's stream records
    const { streamArn, records } = await eventsTableStreamRecords({ dynamo, streams }, names.eventsTable);
    const routed = await invokeBundle<BatchResult>(unpacked['routerPipeline'] as UnpackedFunction, dynamoDbStreamEvent(streamArn, records), { ...environment, NEXUS_PIPELINE: 'router' }, modules, 'routerPipeline');
    // and order-list the core stream's
    const core = await kinesisShardRecords(kinesis, names.coreStream);
    const projected = await invokeBundle<BatchResult>(unpacked['orderListPipeline'] as UnpackedFunction, kinesisEvent(core.streamArn, [{ shardId: core.shardId, records: core.records }]), { ...environment, NEXUS_PIPELINE: 'order-list' }, modules, 'orderListPipeline');
    const read = await invokeBundle<ApiResult>(unpacked['api'] as UnpackedFunction, httpApiEvent('GET', `/api/queries/orders/${orderId}`, undefined, { token: token() }), api, modules, 'api');
    // then
    expect(routed.result).toEqual({ batchItemFailures: [] });
    expect(core.records.map((record) => record.PartitionKey)).toEqual([orderId]);
    expect(projected.result).toEqual({ batchItemFailures: [] });
    expect(read.result.statusCode).toBe(200);
    expect(JSON.parse(read.result.body)).toMatchObject({ customerId: 'cust-bundled', status: 'PLACED' });
    expect(projected.output).toContain('"RecordsOut":1');
  });

  function command(): Record<string, unknown> {
    return httpApiEvent('POST', '/api/commands/PlaceOrder', { customerId: 'cust-bundled', items: [{ sku: 'A', quantity: 1, unitPrice: 3 }], currency: 'EUR' }, { token: token(), accountId: MOTO_ACCOUNT });
  }
});

function token(): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'bundle-admin', roles: ['admin'], iat: now, exp: now + 3600 })}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
