import type { DeployedFunction } from '../../../deploy/DeployedFunction';
import { statementsOf } from '../../../deploy/iam/roleOf';
import type { RoleSettings } from '../../../deploy/iam/roleOf';
import { WEB_SOCKET_API_IDS, webSocketApiResources } from '../../../deploy/resources/webSocketApi';
import { functionsSection, resourcesSection } from '../../../deploy/template';
import { fixedFunction, pipelineFunction } from '../../support/deployedFunctions';

const webSocket = fixedFunction('webSocket', 'webSocket');
const notifying = pipelineFunction('order-list', { type: 'stream', stream: 'core' }, { uses: ['readModels', 'notifications'] });
const quiet = pipelineFunction('router', { type: 'events' }, { uses: ['publisher'] });
const SETTINGS: RoleSettings = { stage: 'test', functions: [webSocket, notifying, quiet], topics: [] };
const MANAGE = [{ 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/test/POST/@connections/*' }];
const ENDPOINT = { 'Fn::Join': ['', ['https://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/prod']] };

function grantsOf(fn: DeployedFunction): Record<string, [string[], unknown]> {
  return Object.fromEntries(statementsOf(fn, SETTINGS).map((statement) => [statement.Sid, [statement.Action, statement.Resource]]));
}

describe('the WebSocket API of live notifications', () => {
  it('routes $connect, $disconnect and $default to one Lambda proxy integration of the WebSocket function, on a self-deploying stage', () => {
    // when
    const resources = webSocketApiResources('test', [webSocket, notifying]);
    // then
    expect(resources[WEB_SOCKET_API_IDS.api]).toMatchObject({ Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET', Name: 'nexus-test-notifications' } });
    expect(resources[WEB_SOCKET_API_IDS.integration]?.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WebSocketLambdaFunction.Arn}/invocations' },
    });
    const routes = Object.values(resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.map((route) => route.Properties?.['RouteKey'])).toEqual(['$connect', '$disconnect', '$default']);
    for (const route of routes) expect(route.Properties?.['Target']).toEqual({ 'Fn::Join': ['/', ['integrations', { Ref: WEB_SOCKET_API_IDS.integration }]] });
    expect(resources[WEB_SOCKET_API_IDS.stage]).toMatchObject({ DependsOn: [WEB_SOCKET_API_IDS.connectRoute, WEB_SOCKET_API_IDS.disconnectRoute, WEB_SOCKET_API_IDS.defaultRoute], Properties: { StageName: 'test', AutoDeploy: true } });
  });

  it('lets this API alone invoke the function', () => {
    // when
    const permission = webSocketApiResources('test', [webSocket])[WEB_SOCKET_API_IDS.permission];
    // then
    expect(permission?.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': ['WebSocketLambdaFunction', 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/*' },
    });
  });

  it('is left out of a service without a WebSocket function', () => {
    // when
    const resources = webSocketApiResources('test', [notifying]);
    // then
    expect(resources).toEqual({});
  });

  it("grants the WebSocket function its connections, the log's reads, the read models and posting to this stage's connections only", () => {
    // when
    const grants = grantsOf(webSocket);
    // then
    expect(grants['WebSocketConnections']).toEqual([
      ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      [{ 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] }],
    ]);
    expect(grants['NotificationLogRead']).toEqual([['dynamodb:Query'], [{ 'Fn::GetAtt': ['NotificationLogTable', 'Arn'] }]]);
    expect(grants['WebSocketPost']).toEqual([['execute-api:ManageConnections'], MANAGE]);
    expect(Object.keys(grants)).toEqual(['OwnLogGroup', 'Tracing', 'WebSocketConnections', 'NotificationLogRead', 'ReadModels', 'WebSocketPost']);
  });

  it("grants a pipeline that uses 'notifications' the log's appends, the subscribers' index, the send budget and posting; one that does not, none of it", () => {
    // when
    const notifyingGrants = grantsOf(notifying);
    const quietGrants = grantsOf(quiet);
    // then
    expect(notifyingGrants).toMatchObject({
      NotificationLogAppend: [['dynamodb:PutItem'], [{ 'Fn::GetAtt': ['NotificationLogTable', 'Arn'] }]],
      NotificationSubscribers: [['dynamodb:Query'], [{ 'Fn::Sub': '${ConnectionsTable.Arn}/index/ByTopic' }]],
      NotificationBudget: [['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] }]],
      WebSocketPost: [['execute-api:ManageConnections'], MANAGE],
    });
    expect(Object.keys(quietGrants).filter((sid) => sid.startsWith('Notification') || sid.startsWith('WebSocket'))).toEqual([]);
  });

  it('gives the WebSocket function the token settings and its management URL, and the management URL to notifying pipelines (and the redrive) only', () => {
    // when
    const functions = functionsSection({ stage: 'prod', region: 'eu-west-1', jwksUrl: 'https://id.example.com/jwks.json' });
    // then
    expect(functions['webSocket']).toMatchObject({ handler: 'handlers/aws/lambda/webSocket.handler', role: 'WebSocketRole', timeout: 29, environment: { NEXUS_JWKS_URL: 'https://id.example.com/jwks.json', NEXUS_WEBSOCKET_ENDPOINT: ENDPOINT } });
    expect(functions['webSocket']?.['events']).toBeUndefined();
    expect(functions['orderListPipeline']?.['environment']).toEqual({ NEXUS_PIPELINE: 'order-list', NEXUS_WEBSOCKET_ENDPOINT: ENDPOINT });
    expect(functions['routerPipeline']?.['environment']).toEqual({ NEXUS_PIPELINE: 'router' });
    expect(functions['redrive']?.['environment']).toEqual({ NEXUS_WEBSOCKET_ENDPOINT: ENDPOINT });
  });

  it('outputs the wss URL clients connect to', () => {
    // when
    const { Outputs } = resourcesSection({ stage: 'prod', region: 'eu-west-1' }) as { Outputs: Record<string, { Value: unknown }> };
    // then
    expect(Outputs['WebSocketUrl']?.Value).toEqual({ 'Fn::Join': ['', ['wss://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/prod']] });
  });
});
