import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GlueClient } from '@aws-sdk/client-glue';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Client } from '@opensearch-project/opensearch';
import { DynamoDbCheckpointStore } from '../../adapters/aws/DynamoDbCheckpointStore';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { DynamoDbEventTableSource } from '../../adapters/aws/DynamoDbEventTableSource';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { CHECKPOINT_TABLE } from '../../adapters/aws/tables/checkpointTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { READ_MODEL_VERSIONS_TABLE } from '../../adapters/aws/tables/readModelVersionsTable';
import { errorCodeOf } from '../../core/errors/NexusError';
import { silentLogger } from '../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { ReadModelDocument, ReadModelStore } from '../../core/readmodel/ReadModelStore';
import { READ_MODEL_VERSION_ERRORS } from '../../core/readmodel/ReadModelVersions';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { ORDER_LIST_COLLECTION, orderUpcasters } from '../../domain';
import type { AwsClients } from '../../handlers/aws/awsClients';
import { AWS_BACKEND_DEFAULTS, awsResourceNames } from '../../handlers/aws/awsConfig';
import type { AwsBackendConfig } from '../../handlers/aws/awsConfig';
import { awsPipelineContexts } from '../../handlers/aws/awsPipelines';
import { openAwsProjectionsSystem } from '../../handlers/cli/projectionsAwsSystem';
import type { ProjectionsSystem } from '../../handlers/cli/projectionsSystem';
import orderList from '../../pipelines/order-list';
import { orderContext, orderItemAdded, orderPlaced } from '../contract/eventFixtures';
import { ENGINE_CREDENTIALS } from '../engines/awsResources';
import { motoClientConfig, motoEndpoint, uniqueName } from '../engines/awsTestClients';
import { runCli } from '../unit/cli/runCli';
import { openSearchEndpoint } from '../engines/openSearchNode';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import type { SchemaEnvironment } from '../support/schemaEnvironment';

jest.setTimeout(180_000);

const moto = { ...motoClientConfig(), maxAttempts: 1 };
const SINCE = new Date(Date.now() - 3_600_000).toISOString();

function testClients(): AwsClients {
  const clients = {
    dynamo: new DynamoDBClient(moto),
    streams: new DynamoDBStreamsClient(moto),
    kinesis: new KinesisClient(moto),
    glue: new GlueClient(moto),
    sns: new SNSClient(moto),
    sqs: new SQSClient(moto),
    openSearch: new Client({ node: openSearchEndpoint(), maxRetries: 0, requestTimeout: 30_000 }),
  };
  return {
    ...clients,
    destroy: async () => {
      for (const client of [clients.dynamo, clients.streams, clients.kinesis, clients.glue, clients.sns, clients.sqs]) client.destroy();
      await clients.openSearch.close();
    },
  };
}

/** Orders 40.. written while the rebuild runs, at most up to this one. */
const MAX_ORDERS_DURING_REBUILD = 100;

const clients = testClients();
let env: SchemaEnvironment;
let config: AwsBackendConfig;
let events: DynamoDbEventStore;
let projections: ProjectionsSystem;
let live: EmbeddedPipelineRunner;
let liveStore: OpenSearchReadModelStore;

beforeAll(async () => {
  env = await createSchemaEnvironment();
});

afterAll(async () => {
  env.db.close();
  await clients.destroy();
});

beforeEach(async () => {
  const stage = uniqueName('rb').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 30);
  const names = { ...awsResourceNames(stage), indexPrefix: `${stage}-rm-` };
  config = { ...AWS_BACKEND_DEFAULTS, stage, endpoints: {}, names, workerId: 'test', openSearchReplicas: 0 };
  await Promise.all([
    createDynamoDbTable(clients.dynamo, names.eventsTable, EVENTS_TABLE),
    createDynamoDbTable(clients.dynamo, names.checkpointsTable, CHECKPOINT_TABLE),
    createDynamoDbTable(clients.dynamo, names.deadLettersTable, DEAD_LETTER_TABLE),
    createDynamoDbTable(clients.dynamo, names.readModelVersionsTable, READ_MODEL_VERSIONS_TABLE),
  ]);
  events = new DynamoDbEventStore(env.codec, { client: clients.dynamo, tableName: names.eventsTable });
  projections = openAwsProjectionsSystem(config, { logger: silentLogger, clients, codec: env.codec, since: SINCE, marginMs: 2000, horizonMs: 1000 });
  // The live order-list projection, incremental, through the collection's alias.
  liveStore = new OpenSearchReadModelStore({ client: clients.openSearch, indexPrefix: names.indexPrefix, numberOfReplicas: 0 });
  // Reading the events table by time, it leaves the last second alone: an append's occurredAt is
  // taken before its (slow, on moto) transaction commits, so a reader at the head would pass it.
  live = projectionRunner(liveStore, 'order-list', 1000);
  await live.start();
});

afterEach(async () => {
  await live.stop();
  await clients.openSearch.indices.delete({ index: `${config.names.indexPrefix}*` }, { ignore: [404] });
});

/** order-list over the events table, into `store`, with its own checkpoint `name`. */
function projectionRunner(store: ReadModelStore, name: string, horizonMs?: number): EmbeddedPipelineRunner {
  const contextFor = awsPipelineContexts({ clients, config, codec: env.codec, upcasters: new UpcasterRegistry(orderUpcasters), readModels: store, logger: silentLogger });
  const source = new DynamoDbEventTableSource({ client: clients.dynamo, tableName: config.names.eventsTable, name: 'core', since: SINCE, ...(horizonMs === undefined ? {} : { horizonMs }) });
  const checkpoints = new DynamoDbCheckpointStore({ client: clients.dynamo, tableName: config.names.checkpointsTable });
  const deadLetters = new DynamoDbDeadLetterStore({ client: clients.dynamo, tableName: config.names.deadLettersTable });
  return new EmbeddedPipelineRunner({ ...orderList, name }, { source, checkpoints, deadLetters, context: contextFor(name) }, { idlePollMs: 50, batchSize: 50 });
}

/** Order `n`: placed, and for some an item added. */
async function writeOrder(n: number): Promise<void> {
  const id = `order-${n}`;
  await events.append(id, 0, [orderPlaced(id, { customerId: `c-${n % 5}` })], orderContext());
  if (n % 2 === 0) await events.append(id, 1, [orderItemAdded(id, `sku-${n}`)], orderContext());
}

async function allOrders(store: ReadModelStore): Promise<ReadModelDocument<Record<string, unknown>>[]> {
  await clients.openSearch.indices.refresh({ index: `${config.names.indexPrefix}*` });
  const documents: ReadModelDocument<Record<string, unknown>>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.collection(ORDER_LIST_COLLECTION).query({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    documents.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return documents.sort((a, b) => a.id.localeCompare(b.id));
}

async function aliasTargets(): Promise<string[]> {
  const response = await clients.openSearch.indices.getAlias({ name: `${config.names.indexPrefix}${ORDER_LIST_COLLECTION}` });
  return Object.keys(response.body as Record<string, unknown>);
}

describe('nexus projections on AWS (moto + OpenSearch)', () => {
  it('rebuilds order-list under concurrent writes and ends identical to an incremental projection, reads served throughout', async () => {
    // given 40 orders projected live
    for (let n = 0; n < 40; n += 1) await writeOrder(n);
    await live.whenCaughtUp(60_000);
    // and writers and readers that keep going during the rebuild
    let running = true;
    let readFailures = 0;
    let reads = 0;
    // (bounded: a replay slower than endless writers, on a loaded machine, would never catch up,
    // and writers outliving the test would write into the next test's table)
    const writers = (async () => {
      for (let n = 40; running && n < MAX_ORDERS_DURING_REBUILD; n += 1) {
        await writeOrder(n);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const readers = (async () => {
      while (running) {
        await liveStore
          .collection(ORDER_LIST_COLLECTION)
          .query({ limit: 10 })
          .then(() => (reads += 1))
          .catch(() => (readFailures += 1));
      }
    })();

    // when order-list is rebuilt
    // (stopped even when the rebuild fails: readers left running would outlive the test)
    const summary = await projections.rebuild(orderList).finally(() => {
      running = false;
    });
    await Promise.all([writers, readers]);
    // (past the live reader's horizon, every append is readable to it)
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await live.whenCaughtUp(60_000);

    // then readers never failed, the alias points at version 2, and its documents equal a fresh incremental projection
    expect(summary).toMatchObject({ pipeline: 'order-list', version: 2, resumed: false, collections: [ORDER_LIST_COLLECTION] });
    expect(readFailures).toBe(0);
    expect(reads).toBeGreaterThan(0);
    await expect(aliasTargets()).resolves.toEqual([`${config.names.indexPrefix}${ORDER_LIST_COLLECTION}-v2`]);
    const referenceStore = new OpenSearchReadModelStore({ client: clients.openSearch, indexPrefix: `${config.names.indexPrefix}ref-`, numberOfReplicas: 0 });
    const reference = projectionRunner(referenceStore, 'order-list-reference');
    await reference.start();
    await reference.whenCaughtUp(60_000);
    await reference.stop();
    const rebuilt = await allOrders(liveStore);
    expect(rebuilt.length).toBeGreaterThan(40);
    expect(rebuilt).toEqual(await allOrders(referenceStore));
    await expect(projections.status()).resolves.toEqual(expect.arrayContaining([{ pipeline: 'order-list', version: 2 }]));
  });

  it('resumes an interrupted rebuild, status showing its version, position and lag meanwhile', async () => {
    // given 20 orders projected live, and a rebuild interrupted once it has started
    for (let n = 0; n < 20; n += 1) await writeOrder(n);
    await live.whenCaughtUp(60_000);
    const abort = new AbortController();
    abort.abort();
    const interrupted: unknown = await projections.rebuild(orderList, { signal: abort.signal }).catch((error: unknown) => error);

    // when the status is asked, then the rebuild is run again
    const during = await projections.status();
    const resumed = await projections.rebuild(orderList);

    // then the status showed the unfinished version 2 with its position and lag, and the second run resumed and switched it
    expect(errorCodeOf(interrupted)).toBe(READ_MODEL_VERSION_ERRORS.INTERRUPTED);
    const row = during.find((candidate) => candidate.pipeline === 'order-list');
    expect(row).toMatchObject({ version: 1, rebuild: { version: 2, position: expect.any(Number) as number, lag: expect.any(Number) as number } });
    expect(resumed).toMatchObject({ version: 2, resumed: true });
    await expect(aliasTargets()).resolves.toEqual([`${config.names.indexPrefix}${ORDER_LIST_COLLECTION}-v2`]);
    expect(await allOrders(liveStore)).toHaveLength(20);
  });

  it('runs as npx nexus projections status|rebuild --backend aws with the server flags', () => {
    // given the stage's tables (no event yet) and the CLI pointed at them
    const env = { AWS_ACCESS_KEY_ID: ENGINE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENGINE_CREDENTIALS.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const flags = ['--backend', 'aws', '--stage', config.stage, '--region', moto.region, '--aws-endpoint', motoEndpoint(), '--opensearch-endpoint', openSearchEndpoint(), '--index-prefix', config.names.indexPrefix, '--opensearch-replicas', '0'];

    // when the status is asked, order-list rebuilt, and the status asked again
    const before = runCli('handlers/cli/nexus.ts', [...flags, 'projections', 'status', '--json'], env);
    const rebuild = runCli('handlers/cli/nexus.ts', [...flags, 'projections', 'rebuild', 'order-list', '--since', SINCE], env);
    const after = runCli('handlers/cli/nexus.ts', [...flags, 'projections', 'status', '--json'], env);

    // then order-list went from version 1 to 2
    expect(JSON.parse(before.stdout)).toEqual(expect.arrayContaining([{ pipeline: 'order-list', version: 1 }]));
    expect(rebuild.stdout).toMatch(/order-list: switched to version 2/);
    expect(rebuild.status).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual(expect.arrayContaining([{ pipeline: 'order-list', version: 2 }]));
  });
});
