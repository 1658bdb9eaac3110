/**
 * The NexusSchemas custom resource (`Custom::NexusSchemas`): on Create and Update, registers every
 * schema version of the schemas/ directory packaged with this function in the stack's Glue
 * registry, through the lookup-first registration (syncSchemas over GlueSchemaRegistry, which runs
 * Nexus's own compatibility check before Glue sees a version), after checking every version against
 * the registry first (checkSchemaChanges). A breaking schema answers FAILED naming schema, version,
 * field and rule, with nothing of the deploy registered, and since every other function depends on this resource, CloudFormation rolls back
 * before any of them changes. Delete removes nothing: registered versions are the history stored
 * events are read with.
 *
 * Environment: the AWS backend's (NEXUS_GLUE_REGISTRY or NEXUS_STAGE, AWS_REGION,
 * NEXUS_GLUE_ENDPOINT / NEXUS_AWS_ENDPOINT), and NEXUS_SCHEMAS_DIR (default
 * `$LAMBDA_TASK_ROOT/schemas`).
 */
import { resolve } from 'node:path';
import { GlueClient } from '@aws-sdk/client-glue';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context } from 'aws-lambda';
import { GlueSchemaRegistry } from '../../../adapters/aws/GlueSchemaRegistry';
import type { Logger } from '../../../core/logging/Logger';
import { createJsonLogger } from '../../../core/logging/Logger';
import { checkSchemaChanges } from '../../../core/schema/checkSchemaChanges';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { schemaFilesDigest } from '../../../core/schema/schemaFilesDigest';
import { syncSchemas } from '../../../core/schema/syncSchemas';
import type { AwsBackendConfig } from '../awsConfig';
import { readAwsBackendConfig } from '../awsConfig';
import type { CustomResourceRequest } from './customResourceEvent';
import { answerCustomResource } from './customResourceResponse';
import { lambdaObservability, observed } from './lambdaObservability';
import type { LambdaObservability } from './lambdaObservability';
import { NEXUS_SCHEMAS_RESOURCE } from './nexusSchemasResource';
import type { CustomResourceContext, CustomResourceResponseBody, CustomResourceSuccess } from './customResourceResponse';
import { BreakingSchemaChangesError, RegistryNameMismatchError, SchemasPackageMismatchError } from './registerSchemasErrors';

const NEXUS_SCHEMAS_PROPERTIES = NEXUS_SCHEMAS_RESOURCE.properties;

/**
 * Built at load, as every handler's (Powertools logger and tracer). A bad setting (NEXUS_LOG_LEVEL)
 * must not leave CloudFormation waiting: it becomes the reason of a FAILED answer instead.
 */
const observability = observabilityOf(process.env);

async function answerRequest(event: unknown, context: CustomResourceContext & Partial<Pick<Context, 'awsRequestId'>>): Promise<CustomResourceResponseBody> {
  const logger = observability.ok ? observability.value.logger : createJsonLogger({ fields: { awsRequestId: context.awsRequestId } });
  return answerCustomResource(event, context, (request, signal) => registerSchemas(request, signal, logger), { logger });
}

/** The Lambda entry point of the NexusSchemas custom resource; always answers CloudFormation (see answerCustomResource). */
export const handler: (event: unknown, context: Context) => Promise<CustomResourceResponseBody> = observability.ok ? observed(observability.value, 'registerSchemas', answerRequest) : answerRequest;

async function registerSchemas(request: CustomResourceRequest, signal: AbortSignal, logger: Logger): Promise<CustomResourceSuccess> {
  if (request.requestType === 'Delete') {
    // Also what a failed Create's rollback and a replaced registry name send: nothing to undo.
    return { physicalResourceId: request.physicalResourceId ?? request.logicalResourceId, reason: 'nothing deleted: registered schema versions are the history stored events are read with' };
  }
  if (!observability.ok) throw observability.error;
  const config = readAwsBackendConfig(new Map(), process.env);
  const registryName = config.names.glueRegistry;
  const declared = property(request.properties, NEXUS_SCHEMAS_PROPERTIES.registryName);
  if (declared !== undefined && declared !== registryName) throw new RegistryNameMismatchError(declared, registryName);
  const directory = process.env.NEXUS_SCHEMAS_DIR || resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'schemas');
  const packaged = schemaFilesDigest(directory);
  const requested = property(request.properties, NEXUS_SCHEMAS_PROPERTIES.schemasHash);
  if (requested !== undefined && requested !== packaged) {
    // A rollback re-sends the previous properties while this function still runs the package that
    // failed (the resource rolls back before the function it depends on): schemas are history, so
    // there is nothing to undo. Any other difference means the package is not the template's.
    if (property(request.oldProperties, NEXUS_SCHEMAS_PROPERTIES.schemasHash) === packaged) {
      return { physicalResourceId: registryName, reason: `rollback: nothing registered or removed (this package holds schemas ${packaged.slice(0, 12)}, the rollback asks for ${requested.slice(0, 12)})`, data: { registered: 0, unchanged: 0 } };
    }
    throw new SchemasPackageMismatchError(directory, packaged, requested);
  }
  const catalog = loadSchemaCatalog(directory);
  const glue = glueClient(config);
  // At the deadline the answer is FAILED already; closing the client stops the work's calls.
  signal.addEventListener('abort', () => glue.destroy());
  try {
    const registry = new GlueSchemaRegistry({ client: glue, registryName });
    await registry.assertRegistryExists();
    // Every version is checked before any is written, so a breaking one fails the deploy with all
    // its problems named and none of this deploy's versions registered (syncSchemas alone stops at
    // the first, after registering those before it). Only the catalog's schemas are read: the
    // others are not this deploy's concern, and ListSchemas would page the whole registry.
    const checked = await checkSchemaChanges({ schemasDir: directory, baseRef: null, registry: { listSchemaNames: async () => catalog.schemaNames(), listVersions: (name) => registry.listVersions(name) } });
    if (checked.problems.length > 0) throw new BreakingSchemaChangesError(registryName, checked.problems);
    const result = await syncSchemas(registry, catalog, logger);
    const registered = result.registered.map((schema) => `${schema.schemaName} v${schema.version}`);
    return {
      physicalResourceId: registryName,
      reason: registered.length === 0 ? `${result.unchanged} schema version(s) already registered` : `registered ${registered.join(', ')}`,
      data: { registered: result.registered.length, unchanged: result.unchanged },
    };
  } finally {
    glue.destroy();
  }
}

/** Only Glue is used: the backend's other clients (and OpenSearch's signer) are not built. Same settings as createAwsClients. */
function glueClient(config: AwsBackendConfig): GlueClient {
  return new GlueClient({
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoints.glue === undefined ? {} : { endpoint: config.endpoints.glue }),
  });
}

function observabilityOf(env: NodeJS.ProcessEnv): { ok: true; value: LambdaObservability } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: lambdaObservability(env) };
  } catch (error) {
    return { ok: false, error };
  }
}

function property(properties: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  const value = properties?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
