import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Client } from '@opensearch-project/opensearch';
import { DynamoDbReadModelVersions } from '../../adapters/aws/DynamoDbReadModelVersions';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { READ_MODEL_VERSIONS_TABLE } from '../../adapters/aws/tables/readModelVersionsTable';
import { errorCodeOf } from '../../core/errors/NexusError';
import { READ_MODEL_VERSION_ERRORS, shadowCollectionName } from '../../core/readmodel/ReadModelVersions';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { openSearchEndpoint } from '../engines/openSearchNode';

const dynamo = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
const openSearch = new Client({ node: openSearchEndpoint(), maxRetries: 0, requestTimeout: 30_000 });
afterAll(async () => {
  dynamo.destroy();
  await openSearch.close();
});

describe('DynamoDbReadModelVersions', () => {
  let prefix: string;
  let versions: DynamoDbReadModelVersions;
  let store: OpenSearchReadModelStore;

  beforeEach(async () => {
    const tableName = uniqueName('versions');
    await createDynamoDbTable(dynamo, tableName, READ_MODEL_VERSIONS_TABLE);
    prefix = `${uniqueName('rmv')}-`;
    versions = new DynamoDbReadModelVersions({ client: dynamo, tableName, openSearch, indexPrefix: prefix, clock: () => new Date('2030-01-01T00:00:00Z') });
    store = new OpenSearchReadModelStore({ client: openSearch, indexPrefix: prefix, numberOfReplicas: 0 });
  });

  afterEach(async () => {
    await openSearch.indices.delete({ index: `${prefix}*` }, { ignore: [404] });
  });

  it('starts at version 1, begins version 2, and resumes the unfinished rebuild instead of starting another', async () => {
    // given a pipeline never rebuilt
    const before = await versions.get('order-list');

    // when a rebuild begins, then begins again (a crash, a second operator)
    const first = await versions.beginRebuild('order-list');
    const second = await versions.beginRebuild('order-list');

    // then version 2 is being rebuilt, once
    expect(before).toEqual({ pipeline: 'order-list', version: 1 });
    expect([first, second]).toEqual([
      { version: 2, resumed: false },
      { version: 2, resumed: true },
    ]);
    await expect(versions.get('order-list')).resolves.toEqual({ pipeline: 'order-list', version: 1, rebuild: { version: 2, startedAt: '2030-01-01T00:00:00.000Z' } });
  });

  it('switches: catch-up, the aliases moved, catch-up again into the new version, then version 2 recorded', async () => {
    // given a live collection and the shadow of a rebuild of version 2
    const orders = store.collection('orders', { indexedFields: ['status'] });
    await orders.upsertIfNewer('o1', 1, { status: 'placed' });
    const { version } = await versions.beginRebuild('order-list');
    const shadow = store.collection(shadowCollectionName('orders', 'order-list', version), { indexedFields: ['status'] });
    await shadow.upsertIfNewer('o1', 1, { status: 'placed' });
    const seen: unknown[] = [];

    // when it switches, with a catch-up that records what readers saw when it ran
    const switched = await versions.switchTo('order-list', version, async () => {
      seen.push((await orders.get('o1'))?.data);
      await shadow.upsertIfNewer('o1', 2 + seen.length, { status: `caught-up-${seen.length}` });
    });

    // then the catch-up ran before the swap (readers on v1) and after it (readers on v2), and version 2 is current
    expect(switched).toEqual(['orders']);
    expect(seen).toEqual([{ status: 'placed' }, { status: 'caught-up-1' }]);
    await expect(orders.get('o1')).resolves.toMatchObject({ version: 4, data: { status: 'caught-up-2' } });
    await expect(versions.get('order-list')).resolves.toEqual({ pipeline: 'order-list', version: 2 });
  });

  it('refuses to switch to a version that is not being rebuilt, changing nothing', async () => {
    // given a rebuild of version 2
    await versions.beginRebuild('order-list');

    // when a switch names version 3
    const error: unknown = await versions.switchTo('order-list', 3, async () => undefined).catch((caught: unknown) => caught);

    // then it is refused as behind, and version 2 is still being rebuilt
    expect(errorCodeOf(error)).toBe(READ_MODEL_VERSION_ERRORS.BEHIND);
    await expect(versions.get('order-list')).resolves.toMatchObject({ version: 1, rebuild: { version: 2 } });
  });

  it('fails with READ_MODEL_VERSIONS_UNAVAILABLE, keeping the cause, when its table is missing', async () => {
    // given a store on a table that does not exist
    const missing = new DynamoDbReadModelVersions({ client: dynamo, tableName: uniqueName('absent'), openSearch, indexPrefix: prefix, retry: { maxAttempts: 1 } });

    // when the version is read
    const error = (await missing.get('order-list').catch((caught: unknown) => caught)) as Error;

    // then the port's code, with the SDK's error as cause
    expect(errorCodeOf(error)).toBe(READ_MODEL_VERSION_ERRORS.STORE_UNAVAILABLE);
    expect(error.cause).toBeDefined();
  });
});
