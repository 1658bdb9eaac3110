/**
 * The live notifications' WebSocket API (API Gateway v2, protocol WEBSOCKET): the routes
 * `$connect`, `$disconnect` and `$default`, each a Lambda proxy integration of the WebSocket
 * function (handlers/aws/lambda/webSocket.ts), a stage named after the Nexus stage that deploys
 * itself, and the permission for this API alone to invoke the function. Its connection
 * management URL is what pipelines that notify post to (NEXUS_WEBSOCKET_ENDPOINT), and roles may
 * manage this API's connections only ({@link webSocketConnectionsArn}).
 */
import { arnPrefix, getAtt, join, ref, sub } from '../cloudFormation';
import type { CfnResources, CfnValue } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';

/** Logical ids of the WebSocket API's resources. */
export const WEB_SOCKET_API_IDS = {
  api: 'WebSocketApi',
  integration: 'WebSocketIntegration',
  connectRoute: 'WebSocketConnectRoute',
  disconnectRoute: 'WebSocketDisconnectRoute',
  defaultRoute: 'WebSocketDefaultRoute',
  stage: 'WebSocketStage',
  permission: 'WebSocketInvokePermission',
} as const;

/** The routes and their logical ids. */
const ROUTES: [string, string][] = [
  ['$connect', WEB_SOCKET_API_IDS.connectRoute],
  ['$disconnect', WEB_SOCKET_API_IDS.disconnectRoute],
  ['$default', WEB_SOCKET_API_IDS.defaultRoute],
];

/** Settings of the stage's routes. */
export interface WebSocketApiSettings {
  /** Messages per second the stage accepts from all clients (API Gateway's throttle, not the per-client notification limit). @defaultValue 500 */
  rateLimitPerSecond?: number;
  /** @defaultValue 1000 */
  burstLimit?: number;
}

/** Defaults of {@link WebSocketApiSettings}. */
export const WEB_SOCKET_API_DEFAULTS: Required<WebSocketApiSettings> = {
  rateLimitPerSecond: 500,
  burstLimit: 1000,
};

/** The API's resources, for the function `webSocket` (kind `webSocket`) among `functions`; none without it. */
export function webSocketApiResources(stage: string, functions: readonly DeployedFunction[], settings: WebSocketApiSettings = {}): CfnResources {
  const fn = functions.find((candidate) => candidate.kind === 'webSocket');
  if (fn === undefined) return {};
  const limits = { ...WEB_SOCKET_API_DEFAULTS, ...settings };
  const ids = WEB_SOCKET_API_IDS;
  const api = ref(ids.api);
  const routes: CfnResources = Object.fromEntries(
    ROUTES.map(([routeKey, logicalId]) => [
      logicalId,
      {
        Type: 'AWS::ApiGatewayV2::Route',
        // The token is checked by the function on $connect (a 401 refuses the handshake): one verifier for HTTP and WebSocket.
        Properties: { ApiId: api, RouteKey: routeKey, AuthorizationType: 'NONE', OperationName: routeKey.slice(1), Target: join('/', ['integrations', ref(ids.integration)]) },
      },
    ]),
  );
  return {
    [ids.api]: {
      Type: 'AWS::ApiGatewayV2::Api',
      Properties: {
        Name: `nexus-${stage}-notifications`,
        Description: `Nexus (${stage}): live notifications of read-model changes`,
        ProtocolType: 'WEBSOCKET',
        // Every client frame goes to $default: the function reads its `type`.
        RouteSelectionExpression: '$request.body.type',
      },
    },
    [ids.integration]: {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: {
        ApiId: api,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn.logicalId}.Arn}/invocations`),
      },
    },
    ...routes,
    [ids.stage]: {
      Type: 'AWS::ApiGatewayV2::Stage',
      // Auto-deploy deploys the routes; it must see them exist first.
      DependsOn: ROUTES.map(([, logicalId]) => logicalId),
      Properties: {
        ApiId: api,
        StageName: stage,
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: limits.rateLimitPerSecond, ThrottlingBurstLimit: limits.burstLimit },
      },
    },
    [ids.permission]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fn.logicalId, 'Arn'),
        Principal: 'apigateway.amazonaws.com',
        // This API only, any of its stages and routes.
        SourceArn: sub(`${arnPrefix('execute-api')}\${${ids.api}}/*`),
      },
    },
  };
}

/** The connection management URL of the stage: `https://<api-id>.execute-api.<region>.<suffix>/<stage>` (Fn::Join: no `${}` for the framework to read). */
export function webSocketManagementEndpoint(stage: string): CfnValue {
  return join('', ['https://', ref(WEB_SOCKET_API_IDS.api), '.execute-api.', ref('AWS::Region'), '.', ref('AWS::URLSuffix'), `/${stage}`]);
}

/** The URL clients connect to: `wss://<api-id>.execute-api.<region>.<suffix>/<stage>`. */
export function webSocketClientUrl(stage: string): CfnValue {
  return join('', ['wss://', ref(WEB_SOCKET_API_IDS.api), '.execute-api.', ref('AWS::Region'), '.', ref('AWS::URLSuffix'), `/${stage}`]);
}

/** The ARN `execute-api:ManageConnections` is granted on: POST to this API's connections in this stage, nothing else. */
export function webSocketConnectionsArn(stage: string): CfnValue {
  return sub(`${arnPrefix('execute-api')}\${${WEB_SOCKET_API_IDS.api}}/${stage}/POST/@connections/*`);
}
