/**
 * The WebSocket function (API Gateway WebSocket API, routes `$connect`, `$disconnect` and
 * `$default`): live notifications on AWS (webSocketRoutes.ts). Tokens are verified as the HTTP
 * API's are (NEXUS_JWKS_URL or NEXUS_JWT_SECRET, the same issuer, audience and roles claim);
 * subscriptions are authorized by the same compiled policies. Answers go through the management
 * API of the API that sent the event (NEXUS_WEBSOCKET_ENDPOINT when set, else
 * `https://<domainName>/<stage>` from the event).
 */
import { resolve } from 'node:path';
import { DynamoDbRateLimitStore } from '../../../adapters/aws/DynamoDbRateLimitStore';
import { OpenSearchReadModelStore } from '../../../adapters/aws/OpenSearchReadModelStore';
import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { traceSdkClients } from '../../../adapters/powertools';
import { AccessGuard } from '../../../core/auth/AccessGuard';
import { readAuthConfig } from '../../../core/auth/authConfig';
import { JwtTokenVerifier } from '../../../core/auth/JwtTokenVerifier';
import { SubscriptionAuthorizer } from '../../../core/notifications/SubscriptionAuthorizer';
import { readModels } from '../../../pipelines';
import { ConfigError } from '../../local/config';
import { createAwsClients } from '../awsClients';
import { readAwsBackendConfig } from '../awsConfig';
import { awsNotifications } from '../awsNotifications';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import { FUNCTION_ROOT } from './lambdaSystem';
import { answerWebSocketEvent } from './webSocketRoutes';
import type { WebSocketEvent, WebSocketResult, WebSocketRouteDependencies } from './webSocketRoutes';

const observability = lambdaObservability(process.env);

const routes = perContainer(async (): Promise<WebSocketRouteDependencies> => {
  const { env } = process;
  if (!env.NEXUS_JWKS_URL && !env.NEXUS_JWT_SECRET) {
    throw new ConfigError('the WebSocket function needs NEXUS_JWKS_URL (the identity provider\'s public keys; serverless.yml param jwksUrl) or NEXUS_JWT_SECRET');
  }
  // No data directory on Lambda: with a JWKS URL or a secret, none is read.
  const auth = readAuthConfig(env, '/nonexistent');
  const config = readAwsBackendConfig(new Map(), env);
  const clients = createAwsClients(config);
  traceSdkClients(observability.tracer, [clients.dynamo]);
  const { logger } = observability;
  // Only what subscriptions need: no codec, event store or command service in this function.
  const store = new OpenSearchReadModelStore({ client: clients.openSearch, indexPrefix: config.names.indexPrefix, numberOfReplicas: config.openSearchReplicas });
  const authorizer = await OpaWasmAuthorizer.fromFile(resolve(FUNCTION_ROOT, 'policies', 'build', 'runtime.wasm'));
  // Subscriptions are authorized, never rate limited: the guard's limit() is not called, so the store is never used.
  const guard = new AccessGuard({ authorizer, rateLimits: new DynamoDbRateLimitStore({ client: clients.dynamo, tableName: config.names.rateLimitsTable }), logger });
  const notifications = awsNotifications(clients, config, logger);
  return {
    verifier: new JwtTokenVerifier(auth.keys, auth.verifier),
    connections: notifications.connections,
    log: notifications.log,
    subscriptions: new SubscriptionAuthorizer({ readModels, store, guard }),
    deliveryFor: (event) => notifications.deliveryTo(config.webSocketEndpoint ?? `https://${event.requestContext.domainName}/${event.requestContext.stage}`),
    logger,
  };
});

/** The WebSocket function's handler: an API Gateway WebSocket event of any route in, its answer out. */
export const handler = observed(observability, 'webSocket', async (event: WebSocketEvent): Promise<WebSocketResult> => answerWebSocketEvent(await routes(), event));
