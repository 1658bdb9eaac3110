import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRegistryCommand, DeleteRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { CHECKPOINT_TABLE } from '../../adapters/aws/tables/checkpointTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { IDEMPOTENCY_TABLE } from '../../adapters/aws/tables/idempotencyTable';
import { RATE_LIMIT_TABLE } from '../../adapters/aws/tables/rateLimitTable';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';

/** Where the resources are created: an engine speaking the AWS APIs (moto), and its region. */
export interface AwsEngineTarget {
  endpoint: string;
  region: string;
}

/** The credentials moto accepts (any); `npm run engines` prints them for the server too. */
export const ENGINE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * Creates every AWS resource Nexus needs under `names` (as `awsResourceNames(stage)` makes them):
 * the tables from their exported definitions, the core Kinesis stream (one shard) and the Glue
 * registry. Shared by `npm run engines` and the AWS backend's end-to-end test, so both run the
 * server against the same resources. Returns how to delete the Glue registry again (moto allows
 * 10 per region; tables and streams cost nothing there).
 */
export async function createAwsResources(target: AwsEngineTarget, names: AwsResourceNames): Promise<{ deleteRegistry(): Promise<void> }> {
  const config = { endpoint: target.endpoint, region: target.region, credentials: ENGINE_CREDENTIALS, maxAttempts: 3, requestHandler: new NodeHttpHandler() };
  const dynamo = new DynamoDBClient(config);
  const kinesis = new KinesisClient(config);
  const glue = new GlueClient(config);
  try {
    await Promise.all([
      createDynamoDbTable(dynamo, names.eventsTable, EVENTS_TABLE),
      createDynamoDbTable(dynamo, names.idempotencyTable, IDEMPOTENCY_TABLE),
      createDynamoDbTable(dynamo, names.rateLimitsTable, RATE_LIMIT_TABLE),
      createDynamoDbTable(dynamo, names.checkpointsTable, CHECKPOINT_TABLE),
      createDynamoDbTable(dynamo, names.deadLettersTable, DEAD_LETTER_TABLE),
      createDynamoDbTable(dynamo, names.leasesTable, LEASES_TABLE),
    ]);
    await kinesis.send(new CreateStreamCommand({ StreamName: names.coreStream, ShardCount: 1 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StreamName: names.coreStream });
    await glue.send(new CreateRegistryCommand({ RegistryName: names.glueRegistry, Description: 'Nexus event schemas' }));
  } finally {
    dynamo.destroy();
    kinesis.destroy();
    glue.destroy();
  }
  return {
    deleteRegistry: async () => {
      const glue = new GlueClient(config);
      try {
        await glue.send(new DeleteRegistryCommand({ RegistryId: { RegistryName: names.glueRegistry } }));
      } finally {
        glue.destroy();
      }
    },
  };
}
