import { CreateTableCommand, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/**
 * Creates `tableName` from `definition` (on-demand capacity), waits until it is active, then
 * enables its TTL attribute. For tests and local engines; on AWS the same definition becomes a
 * CloudFormation resource.
 *
 * @example
 * await createDynamoDbTable(client, 'nexus-dev-idempotency', IDEMPOTENCY_TABLE);
 */
export async function createDynamoDbTable(client: DynamoDBClient, tableName: string, definition: DynamoDbTableDefinition): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...definition.AttributeDefinitions],
      KeySchema: [...definition.KeySchema],
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes ? [...definition.GlobalSecondaryIndexes] : undefined,
      StreamSpecification: definition.StreamSpecification,
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  if (definition.TimeToLiveSpecification) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { ...definition.TimeToLiveSpecification } }));
  }
}
