/**
 * The AWS system as the Lambda handlers use it, built once per container from the environment
 * (handlers/aws/awsConfig.ts, the same variables as `npm start -- --backend aws`): the same
 * stores, codec, command service and pipeline contexts as the server (createAwsSystemParts,
 * awsPipelineContexts), without the server's preflight, schema sync or runners: the stack
 * guarantees the resources, the NexusSchemas custom resource registers the schemas before any
 * function changes, and Lambda's event source mappings do the reading.
 */
import { resolve } from 'node:path';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { traceSdkClients } from '../../../adapters/powertools';
import type { Logger } from '../../../core/logging/Logger';
import type { PipelineContext } from '../../../core/pipeline/PipelineDefinition';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { topics as declaredTopics } from '../../../pipelines';
import { createAwsClients } from '../awsClients';
import type { AwsClients } from '../awsClients';
import { readAwsBackendConfig } from '../awsConfig';
import type { AwsBackendConfig } from '../awsConfig';
import { awsMessagingResources, awsTopicPublisher } from '../awsMessaging';
import { awsNotifications } from '../awsNotifications';
import { awsPipelineContexts } from '../awsPipelines';
import { createAwsSystemParts } from '../awsSystem';
import type { AwsSystemParts } from '../awsSystem';

/**
 * The function's root: this file's folder in the sources (handlers/aws/lambda) and the bundle's in
 * the package (handlers/aws/lambda/<name>.js), so three levels up is the repository or the task
 * root, where schemas/ and policies/build/ are either way.
 */
export const FUNCTION_ROOT = resolve(__dirname, '..', '..', '..');

/** The system of one Lambda container. */
export interface LambdaSystem extends AwsSystemParts {
  config: AwsBackendConfig;
  clients: AwsClients;
  logger: Logger;
  /** A pipeline's context: the core stream (Kinesis), the topics (SNS, with NEXUS_AWS_ACCOUNT_ID), the read models (OpenSearch), notifications (with NEXUS_WEBSOCKET_ENDPOINT). */
  contextFor(pipelineName: string): PipelineContext;
}

/**
 * Reads the configuration (a bad value: a ConfigError naming its variable), builds the clients
 * (each SDK client captured by the tracer) and wires the parts. Calls AWS only to resolve the
 * region when AWS_REGION is unset (never on Lambda).
 */
export async function openLambdaSystem(env: NodeJS.ProcessEnv, logger: Logger, tracer: Tracer): Promise<LambdaSystem> {
  const config = readAwsBackendConfig(new Map(), env);
  const clients = createAwsClients(config);
  traceSdkClients(tracer, [clients.dynamo, clients.streams, clients.kinesis, clients.glue, clients.sns, clients.sqs]);
  const catalog = loadSchemaCatalog(resolve(FUNCTION_ROOT, 'schemas'));
  const parts = createAwsSystemParts({ clients, config, logger, catalog });
  const accountId = config.accountId;
  const topics = accountId === undefined ? undefined : awsTopicPublisher(clients, await awsMessagingResources(clients, { ...config, accountId }, declaredTopics));
  // With NEXUS_WEBSOCKET_ENDPOINT (the stack sets it on functions whose pipeline uses 'notifications'), notify posts to the WebSocket API.
  const notifications = awsNotifications(clients, config, logger).publisher;
  const contextFor = awsPipelineContexts({ clients, config, logger, codec: parts.codec, upcasters: parts.upcasters, readModels: parts.readModels, ...(topics ? { topics } : {}), ...(notifications ? { notifications } : {}), sagas: parts.sagas.ports });
  return { ...parts, config, clients, logger, contextFor };
}
