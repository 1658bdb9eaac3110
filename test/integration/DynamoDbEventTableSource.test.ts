import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { DynamoDbEventTableSource } from '../../adapters/aws/DynamoDbEventTableSource';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { orderContext, orderItemAdded, orderPlaced } from '../contract/eventFixtures';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import type { SchemaEnvironment } from '../support/schemaEnvironment';

const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
let env: SchemaEnvironment;

beforeAll(async () => {
  env = await createSchemaEnvironment();
});

afterAll(() => {
  env.db.close();
  client.destroy();
});

/** An events table holding, per `atMs` entry, one order placed at that instant (then an item added 1 ms later). */
async function tableWith(atMs: readonly number[]): Promise<string> {
  const tableName = uniqueName('events-replay');
  await createDynamoDbTable(client, tableName, EVENTS_TABLE);
  let now = T0;
  const store = new DynamoDbEventStore(env.codec, { client, tableName, clock: () => new Date(now) });
  for (const [index, offset] of atMs.entries()) {
    now = T0 + offset;
    await store.append(`order-${index}`, 0, [orderPlaced(`order-${index}`)], orderContext());
    now = T0 + offset + 1;
    await store.append(`order-${index}`, 1, [orderItemAdded(`order-${index}`)], orderContext());
  }
  return tableName;
}

describe('DynamoDbEventTableSource', () => {
  it('replays every event in time order, positions being occurredAt in ms, never stopping inside a millisecond', async () => {
    // given six orders, three of them placed in the same millisecond
    const tableName = await tableWith([0, 10, 10, 10, 20, 30]);
    const source = new DynamoDbEventTableSource({ client, tableName, name: 'core', since: new Date(T0).toISOString(), clock: () => new Date(T0 + 60_000) });

    // when it is read two records at a time
    const positions: number[] = [];
    const keys: string[] = [];
    for (let after = 0, page = await source.read(after, 2); page.length > 0; page = await source.read(after, 2)) {
      positions.push(...page.map((record) => record.position - T0));
      keys.push(...page.map((record) => record.key));
      after = page.at(-1)?.position ?? after;
    }

    // then all twelve come once, in order, the three of one millisecond in one read
    expect(positions).toEqual([0, 1, 10, 10, 10, 11, 11, 11, 20, 21, 30, 31]);
    expect(new Set(keys.map((key, index) => `${key}@${positions[index]}`)).size).toBe(12);
  });

  it('leaves out event types its stream does not carry, and events younger than its horizon', async () => {
    // given orders placed at 0 and 5000 ms, read at 6000 ms with a 2000 ms horizon, items-added filtered out
    const tableName = await tableWith([0, 5000]);
    const source = new DynamoDbEventTableSource({
      client,
      tableName,
      name: 'core',
      since: new Date(T0).toISOString(),
      accepts: (eventType) => eventType === 'OrderPlaced',
      horizonMs: 2000,
      clock: () => new Date(T0 + 6000),
    });

    // when it is read
    const records = await source.read(0, 100);

    // then only the first order's placement is there, and the head is the horizon's step
    expect(records.map((record) => [record.key, record.position - T0])).toEqual([['order-0', 0]]);
    await expect(source.headPosition()).resolves.toBe(T0 + 4000);
  });
});
