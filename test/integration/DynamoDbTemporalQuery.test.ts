import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import type { NewEvent } from '../../core/events/EventStore';
import { orderContext, orderItemAdded, orderPlaced } from '../contract/eventFixtures';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import type { SchemaEnvironment } from '../support/schemaEnvironment';
import { bearer } from '../unit/auth/securedApi';
import { chainResult, createTemporalApi, followChain } from '../unit/http/temporalHarness';
import type { Json, TemporalApi } from '../unit/http/temporalHarness';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const LATER = at(10_000);

describe('temporal queries on DynamoDbEventStore (moto)', () => {
  const client = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  let env: SchemaEnvironment;
  let store: DynamoDbEventStore;
  let occurredAt: number;
  let capped: TemporalApi;
  let full: TemporalApi;

  beforeAll(async () => {
    const tableName = uniqueName('events-temporal');
    await createDynamoDbTable(client, tableName, EVENTS_TABLE);
    env = await createSchemaEnvironment();
    store = new DynamoDbEventStore(env.codec, { client, tableName, clock: () => new Date(occurredAt), retry: { initialBackoffMs: 1, maxBackoffMs: 4 } });
    capped = await createTemporalApi(store, env.codec, { maxEventsPerRequest: 3 });
    full = await createTemporalApi(store, env.codec);
  });

  afterAll(() => {
    capped.close();
    full.close();
    env.db.close();
    client.destroy();
  });

  async function appendOneByOne(id: string, events: NewEvent[], aggregateType = 'Order', gapsMs: readonly number[] = []): Promise<void> {
    occurredAt = T0;
    for (const [index, event] of events.entries()) {
      await store.append(id, index, [event], orderContext({ aggregateType }));
      occurredAt += gapsMs[index] ?? 60_000;
    }
  }

  it('pages an order of eight events under a cap of three and ends at the unbounded state, changes included', async () => {
    // given an order placed with the v1 schema, then seven items, one a minute
    const id = `order-${randomUUID()}`;
    const v1: NewEvent = { eventType: 'OrderPlaced', schemaVersion: 1, payload: { orderId: id, customerId: 'c-1', items: [{ sku: 'A', quantity: 1, unitPrice: 5 }], totalAmount: 5 } };
    await appendOneByOne(id, [v1, ...Array.from({ length: 7 }, (_, index) => orderItemAdded(id, `sku-${index}`))]);
    const path = `/api/queries/temporal/orders/${id}?asOf=${at(6)}&since=${at(0)}`;
    const admin = await bearer('root', 'admin');
    // when following the chain, and asking once without a cap
    const chain = await followChain(capped, path, admin);
    const unbounded = await followChain(full, path, admin);
    // then three links give what one replay gives: version 7 as of minute 6, the v1 total upcast
    expect(chain.map((answer) => [answer.status, answer.body.version, answer.body.complete])).toEqual([
      [200, 3, false],
      [200, 6, false],
      [200, 7, true],
    ]);
    expect(chainResult(chain)).toEqual(chainResult(unbounded));
    expect(chain[2]?.body.state).toMatchObject({ currency: 'USD', status: 'PLACED' });
    expect((chainResult(chain).changes as Json[]).map((change) => change.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('serves a second aggregate type declared in the test', async () => {
    // given a tally of four events
    const id = `tally-${randomUUID()}`;
    await appendOneByOne(id, [orderPlaced(id), orderItemAdded(id, 'a'), orderItemAdded(id, 'b'), orderItemAdded(id, 'c')], 'Tally');
    // when following its chain
    const chain = await followChain(capped, `/api/queries/temporal/tallies/${id}?asOf=${LATER}`, await bearer('root', 'admin'));
    // then
    expect(chainResult(chain)).toMatchObject({ status: 200, version: 4, complete: true, state: { count: 4, skus: ['a', 'b', 'c'] } });
    expect(chain).toHaveLength(2);
  });

  it('adds up to one unbounded replay for random histories and asOf', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 7 }),
        fc.array(fc.constantFrom(0, 1, 60_000), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: -1, max: 8 * 60_000 }),
        async (itemCount, gapsMs, asOfMs) => {
          // given a random history
          const id = `order-${randomUUID()}`;
          await appendOneByOne(id, [orderPlaced(id), ...Array.from({ length: itemCount }, (_, index) => orderItemAdded(id, `s${index}`))], 'Order', gapsMs);
          const path = `/api/queries/temporal/orders/${id}?asOf=${new Date(T0 + asOfMs).toISOString()}`;
          const headers = await bearer(`root-${id}`, 'admin');
          // when
          const chain = await followChain(capped, path, headers);
          const unbounded = await followChain(full, path, headers);
          // then
          expect(chainResult(chain)).toEqual(chainResult(unbounded));
        },
      ),
      { numRuns: 8 },
    );
  });
});
