/**
 * Assembles the serverless.yml sections that derive from code: the functions (from pipelines/),
 * the resources (tables, stream, topics and queues, registry and schema registration, search
 * domain, one role per function, alarms, dashboard) and the functions' shared environment.
 * deploy/serverless.js hands them to the framework.
 */
import { join } from 'node:path';
import { pipelines, topics } from '../pipelines';
import type { DeployedFunction } from './DeployedFunction';
import { apiEnvironment, notificationsEnvironment, sharedEnvironment, webSocketEnvironment } from './environment';
import type { TokenSettings } from './environment';
import { deployedFunctions } from './functions';
import { rolesOf } from './iam/roleOf';
import { alarmsOf } from './operations/alarms';
import { dashboardOf } from './operations/dashboard';
import { failureQueueLogicalId, queueLogicalId } from './resources/messaging';
import { resourcesOf } from './resources/resourcesOf';
import { schemaRegistryResources, SCHEMA_REGISTRY_IDS } from './resources/schemaRegistry';
import type { SearchDomainSettings } from './resources/searchDomain';
import { SEARCH_DOMAIN_LOGICAL_ID } from './resources/searchDomain';
import { streamConsumerLogicalId, streamLogicalId } from './resources/stream';
import { webSocketApiResources, webSocketClientUrl, webSocketManagementEndpoint } from './resources/webSocketApi';
import { serverlessFunctions } from './serverlessFunctions';
import type { EventSourceIds, ServerlessFunction } from './serverlessFunctions';

/** What the sections depend on besides the declarations (stage parameters of serverless.yml). */
export interface DeploySettings extends TokenSettings {
  stage: string;
  region: string;
  /** An address subscribed to the alarm topic (it confirms by mail). */
  alarmEmail?: string;
  /** The search domain's size. */
  searchDomain?: SearchDomainSettings;
}

/** The repository's schemas/ directory: the registration's digest is taken over it. */
const SCHEMAS_DIR = join(__dirname, '..', 'schemas');

/** The functions of the declared pipelines and the fixed ones. */
export function functionsOfDeclarations(): DeployedFunction[] {
  return deployedFunctions({ pipelines, topics });
}

const ids: EventSourceIds = { queueLogicalId, streamLogicalId, failureQueueLogicalId, streamConsumerLogicalId };

/** serverless.yml `functions:`. */
export function functionsSection(settings: DeploySettings): Record<string, ServerlessFunction> {
  const functions = functionsOfDeclarations();
  const notifies = functions.some((fn) => fn.pipeline?.uses.includes('notifications'));
  return serverlessFunctions(functions, ids, {
    apiEnvironment: apiEnvironment(settings),
    webSocketEnvironment: webSocketEnvironment(settings, settings.stage),
    ...(notifies ? { notificationsEnvironment: notificationsEnvironment(settings.stage) } : {}),
  });
}

/** serverless.yml `resources:` (Resources, Outputs, and extensions of the framework's own resources). */
export function resourcesSection(settings: DeploySettings): Record<string, unknown> {
  const functions = functionsOfDeclarations();
  const { stage } = settings;
  return {
    Resources: {
      ...resourcesOf(functions, { stage, topics, ...(settings.searchDomain ? { searchDomain: settings.searchDomain } : {}) }),
      ...schemaRegistryResources({ stage, schemasDir: SCHEMAS_DIR }),
      ...webSocketApiResources(stage, functions),
      ...rolesOf({ stage, functions, topics }),
      ...alarmsOf(functions, { stage, topics, ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}) }),
      ...dashboardOf(functions, { stage, topics }),
    },
    Outputs: {
      DashboardUrl: {
        Description: 'The CloudWatch dashboard of the stage',
        Value: { 'Fn::Sub': `https://\${AWS::Region}.console.aws.amazon.com/cloudwatch/home#dashboards:name=nexus-${stage}` },
      },
      SearchDomainEndpoint: { Description: 'The OpenSearch domain of the read models', Value: { 'Fn::GetAtt': [SEARCH_DOMAIN_LOGICAL_ID, 'DomainEndpoint'] } },
      WebSocketUrl: { Description: 'Live notifications: connect here with a bearer token (wscat -c <url> -H "Authorization: Bearer <jwt>")', Value: webSocketClientUrl(stage) },
      WebSocketManagementUrl: { Description: 'The connection management URL of the WebSocket API (NEXUS_WEBSOCKET_ENDPOINT)', Value: webSocketManagementEndpoint(stage) },
    },
    extensions: schemasFirst(functions),
  };
}

/** serverless.yml `provider.environment`. */
export function environmentSection(settings: DeploySettings): Record<string, unknown> {
  return sharedEnvironment(settings);
}

/**
 * Every function but the registration itself waits for NexusSchemas: a schema that breaks
 * compatibility fails the custom resource, and CloudFormation rolls back before any function's
 * code or configuration changes.
 */
function schemasFirst(functions: readonly DeployedFunction[]): Record<string, { DependsOn: string[] }> {
  return Object.fromEntries(functions.filter((fn) => fn.kind !== 'schemas').map((fn) => [fn.logicalId, { DependsOn: [SCHEMA_REGISTRY_IDS.schemas] }]));
}
