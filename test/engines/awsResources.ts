import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRegistryCommand, DeleteRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { messagingResources } from '../../adapters/aws/messagingResources';
import { createMessagingResources } from '../../adapters/aws/messagingResourcesSetup';
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { CHECKPOINT_TABLE } from '../../adapters/aws/tables/checkpointTable';
import { createDynamoDbTable } from '../../adapters/aws/tables/createDynamoDbTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { IDEMPOTENCY_TABLE } from '../../adapters/aws/tables/idempotencyTable';
import { RATE_LIMIT_TABLE } from '../../adapters/aws/tables/rateLimitTable';
import { READ_MODEL_VERSIONS_TABLE } from '../../adapters/aws/tables/readModelVersionsTable';
import { SNAPSHOTS_TABLE } from '../../adapters/aws/tables/snapshotsTable';
import { CONNECTIONS_TABLE } from '../../adapters/aws/tables/connectionsTable';
import { NOTIFICATION_LOG_TABLE } from '../../adapters/aws/tables/notificationLogTable';
import { SAGA_DEADLINES_TABLE } from '../../adapters/aws/tables/sagaDeadlinesTable';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import { topics } from '../../pipelines';
import { MOTO_ACCOUNT } from './snsSqsMessaging';

/** Where the resources are created: an engine speaking the AWS APIs (moto), and its region. */
export interface AwsEngineTarget {
  endpoint: string;
  region: string;
}

/** The credentials moto accepts (any); `npm run engines` prints them for the server too. */
export const ENGINE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * Creates every AWS resource Nexus needs under `names` (as `awsResourceNames(stage)` makes them):
 * the tables from their exported definitions, the core Kinesis stream (one shard), the Glue
 * registry, and the declared SNS topics with their SQS queues (`messagingResources`, named
 * `nexus-<stage>-...` in moto's account {@link MOTO_ACCOUNT}). Shared by `npm run engines` and the AWS backend's end-to-end test, so both run the
 * server against the same resources. Returns how to delete the Glue registry again (moto allows
 * 10 per region; tables and streams cost nothing there).
 */
export async function createAwsResources(target: AwsEngineTarget, stage: string, names: AwsResourceNames): Promise<{ deleteRegistry(): Promise<void> }> {
  const config = { endpoint: target.endpoint, region: target.region, credentials: ENGINE_CREDENTIALS, maxAttempts: 3, requestHandler: new NodeHttpHandler() };
  const dynamo = new DynamoDBClient(config);
  const kinesis = new KinesisClient(config);
  const glue = new GlueClient(config);
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  try {
    await Promise.all([
      createDynamoDbTable(dynamo, names.eventsTable, EVENTS_TABLE),
      createDynamoDbTable(dynamo, names.idempotencyTable, IDEMPOTENCY_TABLE),
      createDynamoDbTable(dynamo, names.rateLimitsTable, RATE_LIMIT_TABLE),
      createDynamoDbTable(dynamo, names.checkpointsTable, CHECKPOINT_TABLE),
      createDynamoDbTable(dynamo, names.deadLettersTable, DEAD_LETTER_TABLE),
      createDynamoDbTable(dynamo, names.leasesTable, LEASES_TABLE),
      createDynamoDbTable(dynamo, names.snapshotsTable, SNAPSHOTS_TABLE),
      createDynamoDbTable(dynamo, names.readModelVersionsTable, READ_MODEL_VERSIONS_TABLE),
      createDynamoDbTable(dynamo, names.connectionsTable, CONNECTIONS_TABLE),
      createDynamoDbTable(dynamo, names.notificationLogTable, NOTIFICATION_LOG_TABLE),
      createDynamoDbTable(dynamo, names.sagaDeadlinesTable, SAGA_DEADLINES_TABLE),
    ]);
    await kinesis.send(new CreateStreamCommand({ StreamName: names.coreStream, ShardCount: 1 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StreamName: names.coreStream });
    await glue.send(new CreateRegistryCommand({ RegistryName: names.glueRegistry, Description: 'Nexus event schemas' }));
    await createMessagingResources({ sns, sqs }, messagingResources(topics, { prefix: `nexus-${stage}-`, region: target.region, accountId: MOTO_ACCOUNT }));
  } finally {
    sns.destroy();
    sqs.destroy();
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
