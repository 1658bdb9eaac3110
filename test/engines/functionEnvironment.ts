/** The environment a deployed function gets from the stack (deploy/environment.ts), pointed at the test engines. */
import { ENGINE_CREDENTIALS } from './awsResources';
import { motoEndpoint } from './awsTestClients';
import { MOTO_ACCOUNT } from './snsSqsMessaging';

/** The continuation key the engine functions share, as every container of a stack shares its secret. */
export const ENGINE_CONTINUATION_KEY = 'engine-continuation-key-0123456789abcdef-0123456789';

/** What differs between suites: the stage (resource names), the region, the Powertools service name and the log level. */
export interface FunctionEnvironmentOptions {
  stage: string;
  region: string;
  serviceName: string;
  logLevel?: string;
}

/** NEXUS_* and AWS_* variables of a function of `stage`, against moto and the OpenSearch node. */
export function engineFunctionEnvironment(options: FunctionEnvironmentOptions): Record<string, string> {
  return {
    NEXUS_STAGE: options.stage,
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: ENGINE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ENGINE_CREDENTIALS.secretAccessKey,
    NEXUS_AWS_ENDPOINT: motoEndpoint(),
    NEXUS_AWS_ACCOUNT_ID: MOTO_ACCOUNT,
    NEXUS_OPENSEARCH_ENDPOINT: process.env.NEXUS_TEST_OPENSEARCH_ENDPOINT ?? '',
    NEXUS_OPENSEARCH_REPLICAS: '0',
    POWERTOOLS_SERVICE_NAME: options.serviceName,
    NEXUS_LOG_LEVEL: options.logLevel ?? 'info',
    // The stack resolves its TemporalContinuationKey secret here (deploy/resources/continuationKey.ts).
    NEXUS_TEMPORAL_CONTINUATION_KEY: ENGINE_CONTINUATION_KEY,
  };
}
