/**
 * Assembles the serverless.yml sections that derive from code: the functions (from pipelines/),
 * the resources (tables, stream, topics and queues, registry, search domain, roles, alarms,
 * dashboard) and the functions' shared environment. deploy/serverless.js hands them to the
 * framework.
 */
import { pipelines, topics } from '../pipelines';
import type { DeployedFunction } from './DeployedFunction';
import { apiEnvironment, sharedEnvironment } from './environment';
import type { TokenSettings } from './environment';
import { deployedFunctions } from './functions';
import { pascalCase } from './names';
import { serverlessFunctions, streamLogicalId } from './serverlessFunctions';
import type { EventSourceIds, ServerlessFunction } from './serverlessFunctions';

/** What the sections depend on besides the declarations. */
export interface DeploySettings extends TokenSettings {
  stage: string;
  region: string;
}

/** The functions of the declared pipelines and the fixed ones. */
export function functionsOfDeclarations(): DeployedFunction[] {
  return deployedFunctions({ pipelines, topics });
}

const ids: EventSourceIds = {
  queueLogicalId: (queueName) => `${pascalCase(queueName)}Queue`,
  streamLogicalId,
  failureQueueLogicalId: (fn) => `${pascalCase(fn.key)}FailureQueue`,
  streamConsumerLogicalId: (fn) => `${pascalCase(fn.key)}StreamConsumer`,
};

/** serverless.yml `functions:`. */
export function functionsSection(settings: DeploySettings): Record<string, ServerlessFunction> {
  return serverlessFunctions(functionsOfDeclarations(), ids, { apiEnvironment: apiEnvironment(settings) });
}

/** serverless.yml `resources:`. */
export function resourcesSection(_settings: DeploySettings): Record<string, unknown> {
  const functions = functionsOfDeclarations();
  return { Resources: {}, Outputs: {}, extensions: schemasFirst(functions) };
}

/**
 * Every function but the registration itself waits for NexusSchemas: a schema that breaks
 * compatibility fails the custom resource, and CloudFormation rolls back before any function's
 * code or configuration changes.
 */
function schemasFirst(functions: readonly DeployedFunction[]): Record<string, { DependsOn: string[] }> {
  return Object.fromEntries(functions.filter((fn) => fn.kind !== 'schemas').map((fn) => [fn.logicalId, { DependsOn: ['NexusSchemas'] }]));
}

/** serverless.yml `provider.environment`. */
export function environmentSection(settings: DeploySettings): Record<string, unknown> {
  return sharedEnvironment(settings);
}
