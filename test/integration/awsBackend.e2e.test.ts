import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { createAwsResources, ENGINE_CREDENTIALS } from '../engines/awsResources';
import { motoClientConfig, motoEndpoint } from '../engines/awsTestClients';
import { MOTO_ACCOUNT } from '../engines/snsSqsMessaging';
import { eventually, startNexus } from '../e2e/support/NexusProcess';
import type { NexusProcess } from '../e2e/support/NexusProcess';
import { getJson, postCommand } from '../e2e/support/http';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'ap-southeast-2';

let dataDir: string;
let names: AwsResourceNames;
let nexus: NexusProcess;
let deleteRegistry: () => Promise<void>;
const dynamo = new DynamoDBClient({ ...motoClientConfig(), region: REGION, maxAttempts: 1 });

beforeAll(async () => {
  const stage = `e2e-${process.pid}-${Date.now().toString(36)}`;
  names = awsResourceNames(stage);
  ({ deleteRegistry } = await createAwsResources({ endpoint: motoEndpoint(), region: REGION }, stage, names));
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-aws-e2e-'));
  // The real server entry, configured only through its variables, with quick pollers and leases.
  nexus = await startNexus({
    dataDir,
    startTimeoutMs: 60_000,
    env: {
      NEXUS_BACKEND: 'aws',
      NEXUS_STAGE: stage,
      AWS_REGION: REGION,
      NEXUS_AWS_ACCOUNT_ID: MOTO_ACCOUNT,
      NEXUS_AWS_ENDPOINT: motoEndpoint(),
      AWS_ACCESS_KEY_ID: ENGINE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ENGINE_CREDENTIALS.secretAccessKey,
      NEXUS_OPENSEARCH_ENDPOINT: openSearchEndpoint(),
      NEXUS_OPENSEARCH_REPLICAS: '0',
      NEXUS_POLL_IDLE_MS: '50',
      // Fast lease ticks: renewals race with checkpoints all the time, which the coordinator must survive.
      NEXUS_LEASE_TICK_MS: '100',
      NEXUS_LEASE_DURATION_MS: '1000',
      NEXUS_LOG_LEVEL: process.env.DEBUG_AWS_E2E ? 'debug' : 'warn',
    },
  });
});

afterAll(async () => {
  if (process.env.DEBUG_AWS_E2E) process.stderr.write(nexus?.output() ?? "");
  await nexus?.stop();
  await deleteRegistry?.().catch(() => undefined);
  dynamo.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function openSearchEndpoint(): string {
  const endpoint = process.env.NEXUS_TEST_OPENSEARCH_ENDPOINT;
  if (!endpoint) throw new Error('NEXUS_TEST_OPENSEARCH_ENDPOINT is not set: run the test through jest (the integration project starts OpenSearch)');
  return endpoint;
}

const order = (customerId: string) => ({ customerId, items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' });

async function orderWhen(id: string, predicate: (doc: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const response = await getJson(nexus.baseUrl, `/api/queries/orders/${id}`);
    return response.status === 200 && predicate(response.body) ? response.body : undefined;
  }, 30_000, `order ${id} to reach the expected state`);
}

describe('npm start --backend aws, against moto and OpenSearch', () => {
  it('takes a command into DynamoDB and shows it through the router, Kinesis, order-list and OpenSearch', async () => {
    // given the server on the AWS backend
    // when an order is placed
    const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-aws-1'));

    // then it is accepted, stored as an item of the events table, and readable from the read model
    expect(placed.status).toBe(202);
    const orderId = placed.body.aggregateId as string;
    const stored = await dynamo.send(new QueryCommand({ TableName: names.eventsTable, KeyConditionExpression: 'aggregateId = :id', ExpressionAttributeValues: { ':id': { S: orderId } } }));
    expect(stored.Items?.map((item) => item.eventType?.S)).toEqual(['OrderPlaced']);
    const shown = await orderWhen(orderId, (doc) => doc.status === 'PLACED');
    expect(shown).toMatchObject({ orderId, customerId: 'cust-aws-1', total: { amount: 25, currency: 'EUR' } });
    const health = await getJson(nexus.baseUrl, '/health');
    expect(health.body).toMatchObject({ backend: 'aws', pipelines: { router: { recordsIn: expect.any(Number) }, 'order-list': { recordsIn: expect.any(Number) } } });
  });

  it('answers an append at a stale version 409 CONCURRENCY_CONFLICT with the current version', async () => {
    // given an order with one more item, at version 2
    const orderId = (await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-aws-2'))).body.aggregateId as string;
    const added = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'PEN', quantity: 1, unitPrice: 2, expectedVersion: 1 });
    expect(added.status).toBe(202);

    // when another item is added at the version already taken
    const stale = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'INK', quantity: 1, unitPrice: 3, expectedVersion: 1 });

    // then
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, currentVersion: 2 });
  });

  it('lists a customer\'s orders from OpenSearch, filtered by status, once cancelled, and the cancellation reaches order-notices through SNS -> SQS', async () => {
    // given two orders of one customer, one of them cancelled
    const kept = (await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-aws-3'))).body.aggregateId as string;
    const cancelled = (await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-aws-3'))).body.aggregateId as string;
    expect((await postCommand(nexus.baseUrl, 'CancelOrder', { orderId: cancelled, reason: 'changed my mind' })).status).toBe(202);

    // when the projections have caught up
    await orderWhen(kept, () => true);
    await orderWhen(cancelled, (doc) => doc.status === 'CANCELLED');

    // then the list by status holds the cancelled one only, and the unfiltered list both
    const byStatus = await getJson(nexus.baseUrl, '/api/queries/orders?customerId=cust-aws-3&status=CANCELLED');
    const all = await getJson(nexus.baseUrl, '/api/queries/orders?customerId=cust-aws-3&sort=createdAt&order=asc');
    expect((byStatus.body.items as { orderId: string }[]).map((item) => item.orderId)).toEqual([cancelled]);
    expect((all.body.items as { orderId: string }[]).map((item) => item.orderId)).toEqual([kept, cancelled]);
    // and the router's topic delivered the cancellation to the order-notices queue, whose pipeline ran it
    await eventually(async () => {
      const health = await getJson(nexus.baseUrl, '/health');
      const notices = (health.body.pipelines as Record<string, { recordsOut: number; recordsParked: number }>)['order-notices'];
      return notices !== undefined && notices.recordsOut >= 1 ? notices : undefined;
    }, 30_000, 'order-notices to process the cancellation');
  });
});

describe('npm start --backend aws, refusing to start', () => {
  /** Runs the server entry to its end (it must not start listening) and returns its exit code and stderr. */
  function start(args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'handlers/local/server.ts', '--port', '0', ...args], {
      cwd: resolve(__dirname, '..', '..'),
      env: { ...process.env, NEXUS_LOG_LEVEL: 'warn', NEXUS_JWT_SECRET: 'x'.repeat(32), AWS_ACCESS_KEY_ID: ENGINE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENGINE_CREDENTIALS.secretAccessKey, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, stderr: run.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/, '') };
  }

  it('names the missing table and its flag in one line, exit code 1', () => {
    // given a stage whose resources were never created
    // when the server starts on it
    const { status, stderr } = start(['--backend', 'aws', '--stage', 'missing', '--region', REGION, '--aws-endpoint', motoEndpoint(), '--opensearch-endpoint', openSearchEndpoint()], {});
    // then
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^nexus: cannot start: DynamoDB table nexus-missing-\S+ does not exist; check --\S+-table or NEXUS_\S+_TABLE/);
  });

  it('refuses an AWS flag without --backend aws, exit code 2', () => {
    // given the embedded backend (the default) and an AWS flag
    // when the server starts
    const { status, stderr } = start(['--stage', 'qa'], { NEXUS_DATA_DIR: dataDir });
    // then
    expect(status).toBe(2);
    expect(stderr.trim()).toBe('nexus: configuration error: --stage applies to --backend aws only (or NEXUS_BACKEND=aws)');
  });
});
