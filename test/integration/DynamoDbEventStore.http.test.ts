import Database from 'better-sqlite3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { SqliteReadModelStore } from '../../adapters/embedded';
import { CommandService } from '../../core/command';
import { createApi } from '../../core/http';
import { silentLogger } from '../../core/logging/Logger';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderAggregate, orderListReadModel, orderUpcasters } from '../../domain';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { startFaultInjectingProxy, throughputExceeded } from '../engines/faultInjectingProxy';
import type { FaultInjectingProxy } from '../engines/faultInjectingProxy';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import type { SchemaEnvironment } from '../support/schemaEnvironment';
import { bearer, securityFor } from '../unit/auth/securedApi';

describe('the HTTP API on DynamoDbEventStore', () => {
  const direct = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  let proxy: FaultInjectingProxy;
  let proxied: DynamoDBClient;
  let env: SchemaEnvironment;
  let readDb: Database.Database;
  let closeSecurity: () => void;
  let app: ReturnType<typeof createApi>;
  let store: DynamoDbEventStore;

  beforeEach(async () => {
    const tableName = uniqueName('events-http');
    await createDynamoDbTable(direct, tableName, EVENTS_TABLE);
    proxy = await startFaultInjectingProxy(motoClientConfig().endpoint);
    proxied = new DynamoDBClient({ ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
    env = await createSchemaEnvironment();
    store = new DynamoDbEventStore(env.codec, { client: proxied, tableName, retry: { initialBackoffMs: 1, maxBackoffMs: 4 } });
    readDb = new Database(':memory:');
    const upcasters = new UpcasterRegistry(orderUpcasters);
    const aggregates = [orderAggregate];
    const commands = new CommandService({ eventStore: store, codec: env.codec, upcasters, aggregates, logger: silentLogger });
    const security = await securityFor(commands, aggregates, silentLogger);
    closeSecurity = security.close;
    app = createApi({ commands, readModels: [orderListReadModel], readModelStore: new SqliteReadModelStore(readDb), logger: silentLogger, security: security.security, history: { eventStore: store, codec: env.codec, upcasters, aggregate: orderAggregate } });
  });

  afterEach(async () => {
    closeSecurity();
    readDb.close();
    env.db.close();
    proxied.destroy();
    await proxy.close();
  });
  afterAll(() => direct.destroy());

  async function placeOrder(orderId: string): Promise<Response> {
    return app.request('/api/commands/PlaceOrder', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer('root', 'admin')) },
      body: JSON.stringify({ orderId, customerId: 'c-1', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 3 }] }),
    });
  }

  it('accepts a command with 202 when DynamoDB takes the append', async () => {
    // given a healthy table
    // when placing an order
    const response = await placeOrder('order-http-1');
    // then it is stored
    expect(response.status).toBe(202);
    await expect(store.currentVersion('order-http-1')).resolves.toBe(1);
  });

  it('answers 503 EVENT_STORE_UNAVAILABLE with Retry-After when every append attempt is throttled', async () => {
    // given a table that throttles every transaction (reads still pass)
    proxy.inject({ target: 'TransactWriteItems', fault: throughputExceeded() });
    // when placing an order
    const response = await placeOrder('order-http-2');
    const body = (await response.json()) as Record<string, unknown>;
    // then the client is told to come back later, after the store's 5 attempts
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body).toMatchObject({ status: 503, code: 'EVENT_STORE_UNAVAILABLE' });
    expect(proxy.count('TransactWriteItems')).toBe(5);
    await expect(store.currentVersion('order-http-2')).resolves.toBe(0);
  });
});
