/**
 * Run by DynamoDbEventStore.test.ts in a plain Node process (tsx), not inside Jest: there, an
 * error from Node's http module belongs to another realm than the SDK's `Error`, so the SDK's
 * `asSdkError` replaces a socket reset by a bare "AWS SDK error wrapper" that carries neither
 * name nor code, which no production process ever sees. Here the store meets the real error.
 *
 * Usage: tsx DynamoDbEventStore.socketProbe.ts <tableName> <reset|reset-after-forward>
 * (NEXUS_TEST_MOTO_ENDPOINT set). Prints one JSON line: what the append returned or threw,
 * the proxy's outcomes for TransactWriteItems, and the event ids stored.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from '../contract/eventFixtures';
import { motoClientConfig } from '../engines/awsTestClients';
import { startFaultInjectingProxy } from '../engines/faultInjectingProxy';
import { createSchemaEnvironment } from '../support/schemaEnvironment';

async function probe(tableName: string, fault: 'reset' | 'reset-after-forward'): Promise<Record<string, unknown>> {
  const { codec, db } = await createSchemaEnvironment();
  const proxy = await startFaultInjectingProxy(motoClientConfig().endpoint);
  const proxied = new DynamoDBClient({ ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
  const direct = new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 1 });
  try {
    proxy.inject({ target: 'TransactWriteItems', times: 1, fault: { kind: fault } });
    const store = new DynamoDbEventStore(codec, { client: proxied, tableName, retry: { initialBackoffMs: 1, maxBackoffMs: 4 } });
    const id = newAggregateId();
    let outcome: Record<string, unknown>;
    try {
      const result = await store.append(id, 0, [orderPlaced(id), orderItemAdded(id)], orderContext());
      outcome = { version: result.version, eventIds: result.eventIds };
    } catch (error) {
      outcome = { error: { code: (error as { code?: unknown }).code, message: String(error) } };
    }
    const stored = await new DynamoDbEventStore(codec, { client: direct, tableName }).readStream(id);
    const outcomes = proxy.requests.filter((request) => request.target === 'TransactWriteItems').map((request) => request.outcome);
    return { ...outcome, outcomes, storedIds: stored.items.map((event) => event.eventId) };
  } finally {
    proxied.destroy();
    direct.destroy();
    await proxy.close();
    db.close();
  }
}

const [tableName, fault] = process.argv.slice(2);
if (!tableName || (fault !== 'reset' && fault !== 'reset-after-forward')) {
  process.stderr.write('usage: DynamoDbEventStore.socketProbe.ts <tableName> <reset|reset-after-forward>\n');
  process.exit(2);
}
probe(tableName, fault).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
