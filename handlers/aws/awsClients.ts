import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GlueClient } from '@aws-sdk/client-glue';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfigError } from '../local/config';
import type { AwsBackendConfig, AwsService } from './awsConfig';

/** The SDK clients of the AWS backend, built once per process. */
export interface AwsClients {
  dynamo: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  kinesis: KinesisClient;
  glue: GlueClient;
  sns: SNSClient;
  sqs: SQSClient;
  openSearch: OpenSearchClient;
  destroy(): Promise<void>;
}

/**
 * Builds every client with `maxAttempts: 1` (the adapters retry through `callWithRetry`, so the
 * SDK's own retries would multiply theirs) and the HTTP/1.1 handler: Kinesis's default HTTP/2
 * handler fails against moto, and one handler type for all keeps behaviour alike.
 */
export function createAwsClients(config: Pick<AwsBackendConfig, 'region' | 'endpoints' | 'openSearchEndpoint'> & Partial<Pick<AwsBackendConfig, 'openSearchAuth'>>): AwsClients {
  const settings = (service: AwsService) => ({
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoints[service] === undefined ? {} : { endpoint: config.endpoints[service] }),
  });
  const dynamo = new DynamoDBClient(settings('dynamodb'));
  const streams = new DynamoDBStreamsClient(settings('streams'));
  const kinesis = new KinesisClient(settings('kinesis'));
  const glue = new GlueClient(settings('glue'));
  const sns = new SNSClient(settings('sns'));
  const sqs = new SQSClient(settings('sqs'));
  const openSearch = new OpenSearchClient({ node: config.openSearchEndpoint, maxRetries: 0, ...(config.openSearchAuth === 'sigv4' ? sigv4Signed(config.region) : {}) });
  return {
    dynamo,
    streams,
    kinesis,
    glue,
    sns,
    sqs,
    openSearch,
    destroy: async () => {
      for (const client of [dynamo, streams, kinesis, glue, sns, sqs]) client.destroy();
      await openSearch.close();
    },
  };
}

/**
 * An Amazon OpenSearch Service domain authorises requests by their SigV4 signature (service `es`)
 * under the caller's IAM role: the SDK's default credential chain (the function's role on Lambda),
 * resolved and refreshed by the provider's own cache.
 */
function sigv4Signed(region: string | undefined): ReturnType<typeof AwsSigv4Signer> {
  if (region === undefined) throw new ConfigError('NEXUS_OPENSEARCH_AUTH=sigv4 (--opensearch-auth sigv4) needs a region: set AWS_REGION or --region');
  const credentials = defaultProvider();
  return AwsSigv4Signer({ region, service: 'es', getCredentials: () => credentials() });
}
