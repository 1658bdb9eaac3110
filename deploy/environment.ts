/**
 * The environment every function starts with: the resource names the handlers read through
 * handlers/aws/awsConfig.ts (the same variables as `npm start -- --backend aws`), resolved by
 * CloudFormation from the resources of the stack, and the Powertools settings. Nothing secret
 * is here: tokens are verified with the identity provider's public keys (NEXUS_JWKS_URL). The API
 * function alone gets one secret, the key of temporal continuations, by dynamic reference.
 */
import { awsResourceNames } from '../handlers/aws/awsConfig';
import { TEMPORAL_CONTINUATION_KEY_VARIABLE } from '../handlers/local/temporalContinuationKey';
import type { CfnValue } from './cloudFormation';
import { continuationKeyReference } from './resources/continuationKey';
import { METRICS_NAMESPACE } from '../handlers/aws/lambda/metricNames';
import { SEARCH_DOMAIN_LOGICAL_ID } from './resources/searchDomain';
import { CORE_STREAM_LOGICAL_ID } from './resources/stream';
import { TABLE_LOGICAL_IDS as TABLES } from './resources/tables';
import { webSocketManagementEndpoint } from './resources/webSocketApi';

/** What the environment depends on. */
export interface EnvironmentSettings {
  stage: string;
}

/** The provider-level environment of every function. */
export function sharedEnvironment(settings: EnvironmentSettings): Record<string, unknown> {
  const names = awsResourceNames(settings.stage);
  return {
    NEXUS_STAGE: settings.stage,
    NEXUS_EVENTS_TABLE: { Ref: TABLES.events },
    NEXUS_IDEMPOTENCY_TABLE: { Ref: TABLES.idempotency },
    NEXUS_RATE_LIMITS_TABLE: { Ref: TABLES.rateLimits },
    NEXUS_CHECKPOINTS_TABLE: { Ref: TABLES.checkpoints },
    NEXUS_DEAD_LETTERS_TABLE: { Ref: TABLES.deadLetters },
    NEXUS_LEASES_TABLE: { Ref: TABLES.leases },
    NEXUS_SNAPSHOTS_TABLE: { Ref: TABLES.snapshots },
    NEXUS_CONNECTIONS_TABLE: { Ref: TABLES.connections },
    NEXUS_NOTIFICATION_LOG_TABLE: { Ref: TABLES.notificationLog },
    NEXUS_SAGA_DEADLINES_TABLE: { Ref: TABLES.sagaDeadlines },
    NEXUS_CORE_STREAM: { Ref: CORE_STREAM_LOGICAL_ID },
    // A Glue registry's Ref is its ARN; the handlers want its name.
    NEXUS_GLUE_REGISTRY: names.glueRegistry,
    NEXUS_OPENSEARCH_ENDPOINT: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [SEARCH_DOMAIN_LOGICAL_ID, 'DomainEndpoint'] }]] },
    NEXUS_OPENSEARCH_INDEX_PREFIX: names.indexPrefix,
    NEXUS_OPENSEARCH_AUTH: 'sigv4',
    NEXUS_AWS_ACCOUNT_ID: { Ref: 'AWS::AccountId' },
    NEXUS_LOG_LEVEL: 'info',
    POWERTOOLS_SERVICE_NAME: `nexus-${settings.stage}`,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // Stack traces point into the TypeScript sources through the bundles' source maps.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** How the API verifies tokens: the stage's parameters (serverless.yml `params`), empty ones left out. */
export interface TokenSettings {
  jwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** The claim holding the roles, e.g. `cognito:groups`. */
  jwtRolesClaim?: string;
}

/**
 * The API function's own variables: the token verification settings, and
 * NEXUS_TEMPORAL_CONTINUATION_KEY resolved from the stack's TemporalContinuationKey secret.
 */
export function apiEnvironment(tokens: TokenSettings): Record<string, CfnValue> {
  return { ...tokenEnvironment(tokens), [TEMPORAL_CONTINUATION_KEY_VARIABLE]: continuationKeyReference() };
}

/**
 * The WebSocket function's own variables: the API's token verification settings (a connection
 * is authenticated like a request) and the management URL of its API.
 */
export function webSocketEnvironment(tokens: TokenSettings, stage: string): Record<string, CfnValue> {
  return { ...tokenEnvironment(tokens), ...notificationsEnvironment(stage) };
}

/** What a function whose pipeline notifies needs: NEXUS_WEBSOCKET_ENDPOINT, the stage's connection management URL. */
export function notificationsEnvironment(stage: string): Record<string, CfnValue> {
  return { NEXUS_WEBSOCKET_ENDPOINT: webSocketManagementEndpoint(stage) };
}

function tokenEnvironment(tokens: TokenSettings): Record<string, CfnValue> {
  const entries: [string, string | undefined][] = [
    ['NEXUS_JWKS_URL', tokens.jwksUrl],
    ['NEXUS_JWT_ISSUER', tokens.jwtIssuer],
    ['NEXUS_JWT_AUDIENCE', tokens.jwtAudience],
    ['NEXUS_JWT_ROLES_CLAIM', tokens.jwtRolesClaim],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
