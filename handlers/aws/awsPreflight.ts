import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { GetRegistryCommand } from '@aws-sdk/client-glue';
import { NexusError } from '../../core/errors/NexusError';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';

/** A resource the AWS backend needs is missing or unreachable; the message names its flag. */
export const AWS_RESOURCE_UNAVAILABLE = 'AWS_RESOURCE_UNAVAILABLE';

/** What the preflight learnt that the system needs. */
export interface AwsPreflight {
  /** The events table's LatestStreamArn (the router's source). */
  eventsStreamArn: string;
}

/**
 * Checks, before anything is wired, that every resource exists and answers: each table (the
 * events table with its stream), the core Kinesis stream, the Glue registry and OpenSearch. A
 * failure is one {@link AWS_RESOURCE_UNAVAILABLE} error naming the resource, its flag and
 * variable, and the engine's answer, instead of a pipeline failing minutes later.
 */
export async function awsPreflight(clients: AwsClients, config: AwsBackendConfig): Promise<AwsPreflight> {
  const { names } = config;
  const tables: [string, string][] = [
    [names.eventsTable, '--events-table or NEXUS_EVENTS_TABLE'],
    [names.idempotencyTable, '--idempotency-table or NEXUS_IDEMPOTENCY_TABLE'],
    [names.rateLimitsTable, '--rate-limits-table or NEXUS_RATE_LIMITS_TABLE'],
    [names.deadLettersTable, '--dead-letters-table or NEXUS_DEAD_LETTERS_TABLE'],
    [names.leasesTable, '--leases-table or NEXUS_LEASES_TABLE'],
  ];
  const described = await Promise.all(
    tables.map(([table, setting]) => check(`DynamoDB table ${table}`, setting, () => clients.dynamo.send(new DescribeTableCommand({ TableName: table })))),
  );
  const eventsStreamArn = described[0]?.Table?.LatestStreamArn;
  if (!eventsStreamArn) {
    throw new NexusError(AWS_RESOURCE_UNAVAILABLE, `DynamoDB table ${names.eventsTable} has no stream (NEW_IMAGE): the router reads it; create the table from EVENTS_TABLE (--events-table or NEXUS_EVENTS_TABLE)`);
  }
  await check(`Kinesis stream ${names.coreStream}`, '--core-stream or NEXUS_CORE_STREAM', () => clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: names.coreStream })));
  await check(`Glue registry ${names.glueRegistry}`, '--glue-registry or NEXUS_GLUE_REGISTRY', () => clients.glue.send(new GetRegistryCommand({ RegistryId: { RegistryName: names.glueRegistry } })));
  await check(`OpenSearch at ${config.openSearchEndpoint}`, '--opensearch-endpoint or NEXUS_OPENSEARCH_ENDPOINT', () => clients.openSearch.info());
  return { eventsStreamArn };
}

async function check<T>(resource: string, setting: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reason = (error as { name?: string }).name === 'ResourceNotFoundException' || (error as { name?: string }).name === 'EntityNotFoundException' ? 'does not exist' : `did not answer (${describe(error)})`;
    throw new NexusError(AWS_RESOURCE_UNAVAILABLE, `${resource} ${reason}; check ${setting}, the endpoint and the region (npm run engines creates every resource on local engines)`, { cause: error });
  }
}

function describe(error: unknown): string {
  const name = (error as { name?: string }).name;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return [name, code, message].filter((part) => typeof part === 'string' && part !== '' && part !== 'Error').join(': ').replace(/\s*\n\s*/g, ' ').slice(0, 300);
}
