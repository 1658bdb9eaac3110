import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { schemaFilesDigest } from '../../core/schema/schemaFilesDigest';
import { CUSTOM_RESOURCE_DEFAULTS } from '../../handlers/aws/lambda/customResourceResponse';
import { handler } from '../../handlers/aws/lambda/registerSchemas';
import { motoEndpoint } from '../engines/awsTestClients';
import { startResponseUrlServer } from '../engines/responseUrlServer';
import type { ResponseUrlServer } from '../engines/responseUrlServer';
import { countingGlueClient, testRegistries } from './GlueSchemaRegistryTestClient';

// moto allows 10 Glue registries per region: this file keeps its own region and deletes its registries.
const REGION = 'ca-central-1';
const glue = countingGlueClient(REGION);
const registries = testRegistries(glue.client, 'nexus-cr');
const SCHEMAS = resolve(__dirname, '../../schemas');
const SCHEMA_VERSIONS = loadSchemaCatalog(SCHEMAS).entries.length;

/** Every schema of `dir` with its versions in order, as the registry should list them. */
function versionsIn(dir: string): Record<string, number[]> {
  const versions: Record<string, number[]> = {};
  for (const { schemaName, version } of loadSchemaCatalog(dir).entries) (versions[schemaName] ??= []).push(version);
  return Object.fromEntries(Object.entries(versions).map(([name, list]) => [name, list.sort((a, b) => a - b)]));
}

let responses: ResponseUrlServer;
const directories: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  responses = await startResponseUrlServer();
});
afterEach(async () => {
  process.env = { ...savedEnv };
  responses.received.length = 0;
  await registries.deleteAll();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
afterAll(async () => {
  await responses.close();
  glue.client.destroy();
});

/** A copy of the repository's schemas/, as packaged next to the bundle. */
function packagedSchemas(): string {
  const directory = mkdtempSync(join(tmpdir(), 'nexus-packaged-schemas-'));
  directories.push(directory);
  cpSync(SCHEMAS, directory, { recursive: true });
  return directory;
}

/** The schemas function's environment on Lambda, pointed at moto's Glue. */
function deployedFunction(settings: { registryName: string; schemasDir: string; glueEndpoint?: string }): void {
  process.env = {
    ...savedEnv,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    NEXUS_STAGE: 'test',
    NEXUS_GLUE_REGISTRY: settings.registryName,
    NEXUS_GLUE_ENDPOINT: settings.glueEndpoint ?? motoEndpoint(),
    NEXUS_SCHEMAS_DIR: settings.schemasDir,
  };
  delete process.env.AWS_PROFILE;
}

/** The schemas function's invocation context; its remaining time counts down from `remainingMs`. */
function lambdaContext(remainingMs = 60_000, logStreamName = '2026/01/01/[$LATEST]0123'): Context {
  const endsAt = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'nexus-test-schemas',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:111122223333:function:nexus-test-schemas`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/nexus-test-schemas',
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** What CloudFormation sends the custom resource. */
function cloudFormationRequest(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, string>, previous?: { physicalResourceId: string; properties?: Record<string, string> }): Record<string, unknown> {
  const serviceToken = 'arn:aws:lambda:ca-central-1:111122223333:function:nexus-test-schemas';
  return {
    RequestType: requestType,
    ServiceToken: serviceToken,
    ResponseURL: responses.url(),
    StackId: 'arn:aws:cloudformation:ca-central-1:111122223333:stack/nexus-test/4d1c2f60-0000-11ef-8000-0a1b2c3d4e5f',
    RequestId: randomUUID(),
    LogicalResourceId: 'NexusSchemas',
    ResourceType: 'Custom::NexusSchemas',
    ResourceProperties: { ServiceToken: serviceToken, ...properties },
    ...(previous === undefined ? {} : { PhysicalResourceId: previous.physicalResourceId }),
    ...(previous?.properties === undefined ? {} : { OldResourceProperties: { ServiceToken: serviceToken, ...previous.properties } }),
  };
}

function properties(registryName: string, schemasDir: string): Record<string, string> {
  return { RegistryName: registryName, SchemasHash: schemaFilesDigest(schemasDir) };
}

/** The only response PUT since the last call. */
function answer(): Record<string, unknown> {
  expect(responses.received).toHaveLength(1);
  const [received] = responses.received.splice(0);
  expect(received?.method).toBe('PUT');
  return received?.body ?? {};
}

/** Every schema's registered version numbers. */
async function registeredVersions(registryName: string): Promise<Record<string, number[]>> {
  const registry = new GlueSchemaRegistry({ client: glue.client, registryName });
  const versions: Record<string, number[]> = {};
  for (const schemaName of loadSchemaCatalog(SCHEMAS).schemaNames()) versions[schemaName] = (await registry.listVersions(schemaName)).map((schema) => schema.version);
  return versions;
}

/** `directory` with a v2 of OrderConfirmed that adds a field without a default (breaks BACKWARD). */
function withBreakingOrderConfirmed(directory: string): void {
  const breaking = {
    type: 'record',
    name: 'OrderConfirmed',
    namespace: 'nexus.order',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'confirmedAt', type: 'string' },
      { name: 'confirmedBy', type: 'string' },
    ],
  };
  writeFileSync(join(directory, 'nexus.order.OrderConfirmed.v2.avsc'), `${JSON.stringify(breaking, null, 2)}\n`);
}

/** A registry fed by a first deploy (Create) from `schemasDir`. */
async function deployedOnce(schemasDir: string): Promise<string> {
  const registryName = await registries.create();
  deployedFunction({ registryName, schemasDir });
  await handler(cloudFormationRequest('Create', properties(registryName, schemasDir)), lambdaContext());
  expect(answer()).toMatchObject({ Status: 'SUCCESS' });
  return registryName;
}

describe('the NexusSchemas custom resource (registerSchemas handler) on moto', () => {
  it('registers every schema version of schemas/ on Create and answers SUCCESS with the counts', async () => {
    // given an empty registry and the packaged schemas/
    const registryName = await registries.create();
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName, schemasDir });
    const request = cloudFormationRequest('Create', properties(registryName, schemasDir));
    // when
    await handler(request, lambdaContext());
    // then
    const received = responses.received[0];
    expect(received?.headers['content-type']).toBe('');
    expect(answer()).toEqual({
      Status: 'SUCCESS',
      Reason: expect.stringContaining('registered nexus.EventEnvelope v1'),
      PhysicalResourceId: registryName,
      StackId: request.StackId,
      RequestId: request.RequestId,
      LogicalResourceId: 'NexusSchemas',
      Data: { registered: SCHEMA_VERSIONS, unchanged: 0 },
    });
    expect(await registeredVersions(registryName)).toEqual(versionsIn(SCHEMAS));
    expect(await registeredVersions(registryName)).toMatchObject({ 'nexus.EventEnvelope': [1], 'nexus.order.OrderPlaced': [1, 2] });
  });

  it('registers nothing on an Update where nothing changed, counting every version unchanged', async () => {
    // given a deployed registry
    const schemasDir = packagedSchemas();
    const registryName = await deployedOnce(schemasDir);
    // when the stack is updated again with the same schemas
    await handler(cloudFormationRequest('Update', properties(registryName, schemasDir), { physicalResourceId: registryName, properties: properties(registryName, schemasDir) }), lambdaContext());
    // then
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: registryName, Data: { registered: 0, unchanged: SCHEMA_VERSIONS } });
  });

  it('registers an added compatible version on Update', async () => {
    // given a deployed registry, then OrderConfirmed v2 with a defaulted field added to schemas/
    const schemasDir = packagedSchemas();
    const registryName = await deployedOnce(schemasDir);
    const before = properties(registryName, schemasDir);
    const compatible = { type: 'record', name: 'OrderConfirmed', namespace: 'nexus.order', fields: [{ name: 'orderId', type: 'string' }, { name: 'confirmedAt', type: 'string' }, { name: 'note', type: 'string', default: '' }] };
    writeFileSync(join(schemasDir, 'nexus.order.OrderConfirmed.v2.avsc'), JSON.stringify(compatible));
    // when
    await handler(cloudFormationRequest('Update', properties(registryName, schemasDir), { physicalResourceId: registryName, properties: before }), lambdaContext());
    // then
    expect(answer()).toMatchObject({ Status: 'SUCCESS', Reason: 'registered nexus.order.OrderConfirmed v2', Data: { registered: 1, unchanged: SCHEMA_VERSIONS } });
    expect((await registeredVersions(registryName))['nexus.order.OrderConfirmed']).toEqual([1, 2]);
  });

  it('answers FAILED naming the schema, version and incompatibility of a breaking version, and registers nothing of the deploy', async () => {
    // given a deployed registry, then a compatible v2 of OrderCancelled (registered first, by name)
    // and a v2 of OrderConfirmed that adds a field without a default
    const schemasDir = packagedSchemas();
    const registryName = await deployedOnce(schemasDir);
    const before = properties(registryName, schemasDir);
    const versionsBefore = await registeredVersions(registryName);
    const cancelled = { type: 'record', name: 'OrderCancelled', namespace: 'nexus.order', fields: [{ name: 'orderId', type: 'string' }, { name: 'reason', type: 'string' }, { name: 'cancelledAt', type: 'string' }, { name: 'note', type: 'string', default: '' }] };
    writeFileSync(join(schemasDir, 'nexus.order.OrderCancelled.v2.avsc'), JSON.stringify(cancelled));
    withBreakingOrderConfirmed(schemasDir);
    // when
    await handler(cloudFormationRequest('Update', properties(registryName, schemasDir), { physicalResourceId: registryName, properties: before }), lambdaContext(60_000, '2026/01/01/[$LATEST]abc'));
    // then
    const body = answer();
    expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: registryName, LogicalResourceId: 'NexusSchemas' });
    expect(body.Reason).toContain(`BREAKING_SCHEMA_CHANGES: 1 breaking schema change(s) against Glue registry ${registryName}, nothing registered: nexus.order.OrderConfirmed v2: field confirmedBy: FIELD_ADDED_WITHOUT_DEFAULT (BACKWARD against v1)`);
    expect(body.Reason).toContain('(CloudWatch log stream 2026/01/01/[$LATEST]abc)');
    expect(await registeredVersions(registryName)).toEqual(versionsBefore);
  });

  it('answers the rollback after a failed Update with SUCCESS, registering and removing nothing', async () => {
    // given an Update that failed on a breaking schema; the function still runs that package
    const schemasDir = packagedSchemas();
    const registryName = await deployedOnce(schemasDir);
    const before = properties(registryName, schemasDir);
    withBreakingOrderConfirmed(schemasDir);
    const failedUpdate = properties(registryName, schemasDir);
    const versionsBefore = await registeredVersions(registryName);
    // when CloudFormation rolls the resource back to its previous properties
    await handler(cloudFormationRequest('Update', before, { physicalResourceId: registryName, properties: failedUpdate }), lambdaContext());
    // then
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: registryName, Reason: expect.stringContaining('rollback'), Data: { registered: 0, unchanged: 0 } });
    expect(await registeredVersions(registryName)).toEqual(versionsBefore);
  });

  it('answers FAILED when the packaged schemas are not the ones the template was built from', async () => {
    // given a template built from other schema files than the function's package
    const registryName = await registries.create();
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName, schemasDir });
    // when
    await handler(cloudFormationRequest('Create', { RegistryName: registryName, SchemasHash: 'f'.repeat(64) }), lambdaContext());
    // then
    const body = answer();
    expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'NexusSchemas' });
    expect(body.Reason).toContain(`SCHEMAS_PACKAGE_MISMATCH: the schemas packaged in ${schemasDir}`);
    expect(await registeredVersions(registryName)).toEqual(Object.fromEntries(loadSchemaCatalog(SCHEMAS).schemaNames().map((name) => [name, []])));
  });

  it('answers FAILED when the resource names another registry than the function registers into', async () => {
    // given
    const registryName = await registries.create();
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName, schemasDir });
    // when
    await handler(cloudFormationRequest('Create', { ...properties(registryName, schemasDir), RegistryName: 'nexus-other-schemas' }), lambdaContext());
    // then
    expect(answer().Reason).toContain(`SCHEMA_REGISTRY_NAME_MISMATCH: the resource's RegistryName is nexus-other-schemas, but the function registers into ${registryName}`);
  });

  it('answers FAILED naming a registry that does not exist', async () => {
    // given
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName: 'nexus-cr-missing', schemasDir });
    // when
    await handler(cloudFormationRequest('Create', properties('nexus-cr-missing', schemasDir)), lambdaContext());
    // then
    expect(answer()).toMatchObject({ Status: 'FAILED', Reason: 'GLUE_REGISTRY_NOT_FOUND: Glue registry nexus-cr-missing does not exist (CloudWatch log stream 2026/01/01/[$LATEST]0123)' });
  });

  it('answers Delete with SUCCESS and deletes nothing: schemas are history', async () => {
    // given a deployed registry
    const schemasDir = packagedSchemas();
    const registryName = await deployedOnce(schemasDir);
    const versionsBefore = await registeredVersions(registryName);
    // when the stack (or the resource) is deleted
    await handler(cloudFormationRequest('Delete', properties(registryName, schemasDir), { physicalResourceId: registryName }), lambdaContext());
    // then
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: registryName, Reason: expect.stringContaining('nothing deleted') });
    expect(await registeredVersions(registryName)).toEqual(versionsBefore);
  });

  it('answers FAILED naming the call when Glue refuses connections', async () => {
    // given a Glue endpoint where nothing listens
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName: 'nexus-cr-unreachable', schemasDir, glueEndpoint: `http://127.0.0.1:${port}` });
    // when
    await handler(cloudFormationRequest('Create', properties('nexus-cr-unreachable', schemasDir)), lambdaContext());
    // then
    // (under jest the SDK wraps the socket error of Node's realm, so its code reads GLUE_REQUEST_FAILED
    // instead of SCHEMA_REGISTRY_UNAVAILABLE after the retries: the call and the cause are named either way)
    expect(answer()).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^[A-Z_]+: .*GetRegistry failed.*ECONNREFUSED/) });
  });

  it('answers FAILED before Lambda times out when Glue never answers', async () => {
    // given a Glue endpoint that accepts connections and never answers, and an invocation with little time left
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName: 'nexus-cr-silent', schemasDir, glueEndpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
    const invocation = lambdaContext(CUSTOM_RESOURCE_DEFAULTS.responseReserveMs + 1_000);
    try {
      // when
      await handler(cloudFormationRequest('Create', properties('nexus-cr-silent', schemasDir)), invocation);
      // then the answer is FAILED and was sent while the invocation still had time
      const remainingAtAnswer = invocation.getRemainingTimeInMillis();
      expect(remainingAtAnswer).toBeGreaterThan(0);
      expect(answer().Reason).toMatch(/^CUSTOM_RESOURCE_DEADLINE: not finished within \d+ ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => silent.close(() => done()));
    }
  });

  it('answers a malformed request FAILED naming the field', async () => {
    // given requests CloudFormation would not send
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName: 'nexus-cr-unused', schemasDir });
    const created = cloudFormationRequest('Create', {});
    const unknownType = { ...created, RequestType: 'Upsert' };
    const withoutStack = { ...cloudFormationRequest('Update', {}, { physicalResourceId: 'nexus-cr-unused', properties: {} }), StackId: undefined };
    // when
    await handler(unknownType, lambdaContext());
    const first = answer();
    await handler(withoutStack, lambdaContext());
    const second = answer();
    // then
    expect(first).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'NexusSchemas', RequestId: created.RequestId, Reason: expect.stringMatching(/^MALFORMED_CUSTOM_RESOURCE_EVENT: custom resource event field RequestType must be one of Create, Update, Delete; got "Upsert"/) });
    expect(second).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'nexus-cr-unused', StackId: '', Reason: expect.stringContaining('field StackId must be a non-empty string') });
  });

  it('answers FAILED naming a wrong setting the function loaded with, and still answers Delete with SUCCESS', async () => {
    // given a container started with a log level it does not know
    const schemasDir = packagedSchemas();
    deployedFunction({ registryName: 'nexus-cr-unused', schemasDir });
    process.env.NEXUS_LOG_LEVEL = 'loud';
    let fresh: typeof handler = handler;
    jest.isolateModules(() => {
      // A fresh module registry is a fresh container; only require() loads into it synchronously.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fresh = (require('../../handlers/aws/lambda/registerSchemas') as { handler: typeof handler }).handler;
    });
    // when
    await fresh(cloudFormationRequest('Create', properties('nexus-cr-unused', schemasDir)), lambdaContext());
    const created = answer();
    await fresh(cloudFormationRequest('Delete', {}, { physicalResourceId: 'nexus-cr-unused' }), lambdaContext());
    const deleted = answer();
    // then
    expect(created).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^INVALID_CONFIG: NEXUS_LOG_LEVEL must be one of debug, info, warn, error, silent; got "loud"/) });
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'nexus-cr-unused' });
  });

  it('refuses an event without a response URL, since nothing waits for an answer', async () => {
    // given
    const event = { ...cloudFormationRequest('Create', {}), ResponseURL: undefined };
    // when
    const outcome = handler(event, lambdaContext());
    // then
    await expect(outcome).rejects.toMatchObject({ code: 'MALFORMED_CUSTOM_RESOURCE_EVENT', details: { field: 'ResponseURL' } });
    expect(responses.received).toHaveLength(0);
  });
});
