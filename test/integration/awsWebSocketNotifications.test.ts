import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Context } from 'aws-lambda';
import { decodeJwt } from 'jose';
import { DynamoDbConnectionStore } from '../../adapters/aws/DynamoDbConnectionStore';
import { WebSocketConnectionDelivery } from '../../adapters/aws/WebSocketConnectionDelivery';
import { WebSocketConnectionPoster } from '../../adapters/aws/WebSocketConnectionPoster';
import { WebSocketNotificationPublisher } from '../../adapters/aws/WebSocketNotificationPublisher';
import { mintDevelopmentToken } from '../../core/auth/mintToken';
import { silentLogger } from '../../core/logging/Logger';
import type { DocumentChanged } from '../../core/notifications/DocumentChanged';
import type { AwsResourceNames } from '../../handlers/aws/awsConfig';
import type { WebSocketEvent, WebSocketResult } from '../../handlers/aws/lambda/webSocketRoutes';
import { motoClientConfig, motoEndpoint } from '../engines/awsTestClients';
import { openEngineStage, setEnv } from '../engines/engineStage';
import type { EngineStage } from '../engines/engineStage';
import { dynamoDbStreamEvent, httpApiEvent, kinesisEvent } from '../engines/lambdaEvents';
import { MOTO_ACCOUNT } from '../engines/snsSqsMessaging';
import { eventsTableStreamRecords, kinesisShardRecords } from '../engines/streamRecords';
import { startWebSocketManagementProxy } from '../engines/webSocketManagementProxy';
import type { WebSocketManagementProxy } from '../engines/webSocketManagementProxy';
import { captureStdoutPerTest } from '../support/capturedStdout';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'us-west-2';
const SECRET = 'websocket-notifications-test-secret-0123456789';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
type Frame = Record<string, unknown>;
interface ApiResult {
  statusCode: number;
  body: string;
}

describe('live notifications on AWS: the WebSocket handlers with API Gateway-shaped events, the pipeline function, the management API on moto', () => {
  const aws = { ...motoClientConfig(), region: REGION, maxAttempts: 1 };
  const dynamo = new DynamoDBClient(aws);
  const streams = new DynamoDBStreamsClient(aws);
  const kinesis = new KinesisClient(aws);
  let names: AwsResourceNames;
  let proxy: WebSocketManagementProxy;
  let management: ApiGatewayManagementApiClient;
  let engine: EngineStage | undefined;
  let webSocket: Handler<WebSocketEvent, WebSocketResult>;
  let kinesisSeen = 0;
  // The functions' metrics and logs (EMF on stdout) are not what these tests check.
  captureStdoutPerTest();

  beforeAll(async () => {
    proxy = await startWebSocketManagementProxy(motoEndpoint());
    management = new ApiGatewayManagementApiClient({ ...aws, endpoint: proxy.endpoint });
    engine = await openEngineStage({ prefix: 'ws', region: REGION, serviceName: 'nexus-websocket-test', logLevel: 'warn', env: { NEXUS_JWT_SECRET: SECRET, NEXUS_WEBSOCKET_ENDPOINT: proxy.endpoint } });
    names = engine.names;
    webSocket = load<Handler<WebSocketEvent, WebSocketResult>>('../../handlers/aws/lambda/webSocket');
  });

  afterAll(async () => {
    await engine?.tearDown();
    await proxy?.close();
    for (const client of [dynamo, streams, kinesis, management]) client?.destroy();
  });

  it('refuses a handshake without a token or with a bad one (401), and accepts a valid one from the bearer subprotocol, selecting the notifications subprotocol', async () => {
    // given
    const good = await token('carol', ['customer']);
    // when
    const without = await webSocket(connectEvent('conn-refused-1', {}), lambdaContext());
    const forged = await webSocket(connectEvent('conn-refused-2', { Authorization: `Bearer ${good.slice(0, -4)}AAAA` }), lambdaContext());
    const accepted = await webSocket(connectEvent('conn-carol', { 'Sec-WebSocket-Protocol': `nexus.notifications.v1, bearer.${good}` }), lambdaContext());
    // then
    expect(without.statusCode).toBe(401);
    expect(JSON.parse(without.body ?? '{}')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(forged.statusCode).toBe(401);
    expect(accepted).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'nexus.notifications.v1' } });
    expect((await connections().connection('conn-carol'))?.principal).toEqual({ id: 'carol', roles: ['customer'], clientId: 'carol' });
    expect(await connections().connection('conn-refused-1')).toBeUndefined();
  });

  it('delivers "changed" after a command, to the owner under an own grant and to support, but not the owner\'s order to another customer', async () => {
    // given alice and bob (customers) and sam (support) connected, each subscribed to the orders
    await connect('conn-alice', 'alice', ['customer']);
    await connect('conn-bob', 'bob', ['customer']);
    await connect('conn-sam', 'sam', ['support']);
    await send('conn-alice', { type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    await send('conn-bob', { type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    await send('conn-sam', { type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    // when alice places an order, and the router and order-list functions run over its records
    const aliceOrder = await placeOrder('alice');
    await runPipelines();
    // then
    expect(proxy.framesOf('conn-alice')[0]).toEqual({ type: 'subscribed', subscriptionId: 'mine', resourceType: 'orders', scope: 'own', resumeAfter: expect.any(Number) });
    expect(proxy.framesOf('conn-sam')[0]).toMatchObject({ type: 'subscribed', scope: 'any' });
    const toAlice = changedFrames('conn-alice');
    expect(toAlice).toEqual([{ type: 'changed', subscriptionId: 'mine', resourceType: 'orders', id: aliceOrder, version: 1, eventId: expect.any(String), owner: 'alice', resumeAfter: expect.any(Number) }]);
    expect(changedFrames('conn-sam').map((frame) => frame.id)).toEqual([aliceOrder]);
    expect(changedFrames('conn-bob')).toEqual([]);
  });

  it('refuses a subscription to another customer\'s order with an error frame naming it, and catches a subscription up from lastVersion', async () => {
    // given alice's order, projected
    const aliceOrder = changedFrames('conn-alice')[0]?.id as string;
    // when
    await send('conn-bob', { type: 'subscribe', subscriptionId: 'peek', resourceType: 'orders', id: aliceOrder });
    await send('conn-alice', { type: 'subscribe', subscriptionId: 'one', resourceType: 'orders', id: aliceOrder, lastVersion: 0 });
    // then
    expect(proxy.framesOf('conn-bob').at(-1)).toMatchObject({ type: 'error', subscriptionId: 'peek', status: 403, code: 'PERMISSION_DENIED' });
    expect(proxy.framesOf('conn-alice').slice(-2)).toEqual([
      { type: 'subscribed', subscriptionId: 'one', resourceType: 'orders', id: aliceOrder, scope: 'own' },
      { type: 'changed', subscriptionId: 'one', resourceType: 'orders', id: aliceOrder, version: 1, owner: 'alice' },
    ]);
  });

  it('answers a malformed frame and an unknown resource type with error frames naming the field', async () => {
    // when
    await webSocket(messageEvent('conn-carol', '{"type":"subscribe"'), lambdaContext());
    await send('conn-carol', { type: 'subscribe', subscriptionId: 's1', resourceType: 'invoices' });
    // then
    const [malformed, unknown] = proxy.framesOf('conn-carol');
    expect(malformed).toMatchObject({ type: 'error', status: 400, code: 'MALFORMED_JSON' });
    expect(unknown).toMatchObject({ type: 'error', subscriptionId: 's1', status: 404, code: 'UNKNOWN_RESOURCE_TYPE', field: 'resourceType' });
  });

  it('answers a resume from a position the log no longer holds, or one ahead of it, with a resync frame (re-read by query)', async () => {
    // given
    await connect('conn-dave', 'dave', ['customer']);
    const ahead = (Date.now() + 3_600_000) * 1000;
    // when
    await send('conn-dave', { type: 'subscribe', subscriptionId: 'old', resourceType: 'orders', after: 1 });
    await send('conn-dave', { type: 'subscribe', subscriptionId: 'future', resourceType: 'orders', after: ahead });
    // then
    expect(proxy.framesOf('conn-dave')).toEqual([
      { type: 'subscribed', subscriptionId: 'old', resourceType: 'orders', scope: 'own', resumeAfter: 1 },
      { type: 'resync', subscriptionId: 'old', reason: 'pruned', resumeAfter: expect.any(Number) },
      { type: 'subscribed', subscriptionId: 'future', resourceType: 'orders', scope: 'own', resumeAfter: ahead },
      { type: 'resync', subscriptionId: 'future', reason: 'unknown-position', resumeAfter: expect.any(Number) },
    ]);
  });

  it('ends a subscription on unsubscribe: answered, and no longer found by the publisher', async () => {
    // given dave's subscriptions
    // when
    await send('conn-dave', { type: 'unsubscribe', subscriptionId: 'old' });
    await send('conn-dave', { type: 'unsubscribe', subscriptionId: 'future' });
    // then
    expect(proxy.framesOf('conn-dave').slice(-2)).toEqual([
      { type: 'unsubscribed', subscriptionId: 'old' },
      { type: 'unsubscribed', subscriptionId: 'future' },
    ]);
    expect((await connections().subscribersOf(['own#orders#dave'])).get('own#orders#dave')).toEqual([]);
  });

  it('resumes after a dropped connection: a new connection subscribing with `after` receives what it missed', async () => {
    // given alice's last position, then her connection dropped ($disconnect) while her order changed
    const [lastSeen] = changedFrames('conn-alice');
    const aliceOrder = lastSeen?.id as string;
    await webSocket(event('$disconnect', 'conn-alice'), lambdaContext());
    await command('ConfirmOrder', { orderId: aliceOrder }, await token('alice', ['customer']));
    await runPipelines();
    // when she connects again and resumes
    await connect('conn-alice-2', 'alice', ['customer']);
    await send('conn-alice-2', { type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders', after: lastSeen?.resumeAfter });
    // then the confirmation (version 2) reaches her; the old connection got nothing more
    expect(changedFrames('conn-alice-2').filter((frame) => frame.id === aliceOrder).map((frame) => frame.version)).toContain(2);
    expect(changedFrames('conn-alice').map((frame) => frame.version)).toEqual([1]);
    expect(await connections().connection('conn-alice')).toBeUndefined();
  });

  it('forgets a connection API Gateway answers 410 Gone for, with its subscriptions', async () => {
    // given sam's connection gone at API Gateway
    proxy.gone('conn-sam');
    // when a change is published to the orders
    await publisher().publish([change('order-gone-test', 1, 'alice')]);
    // then
    expect(await connections().connection('conn-sam')).toBeUndefined();
    const subscribers = await connections().subscribersOf(['type#orders']);
    expect(subscribers.get('type#orders')?.map((subscriber) => subscriber.connectionId)).not.toContain('conn-sam');
  });

  it('tells a connection whose token expired why, once, and forgets it: on its next frame, and on the next change published', async () => {
    // given two support connections admitted with tokens of 2 s, subscribed to every order
    let expiresAtMs = 0;
    for (const connectionId of ['conn-brief-1', 'conn-brief-2']) {
      const brief = await mintDevelopmentToken(SECRET, { subject: 'sue', roles: ['support'], ttl: 2 });
      expiresAtMs = Math.max(expiresAtMs, (decodeJwt(brief).exp ?? 0) * 1000);
      expect((await webSocket(connectEvent(connectionId, { Authorization: `Bearer ${brief}` }), lambdaContext())).statusCode).toBe(200);
      await send(connectionId, { type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    }
    // when the tokens have expired, one connection sends a frame and a change is published
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAtMs - Date.now()) + 50));
    await send('conn-brief-1', { type: 'subscribe', subscriptionId: 'again', resourceType: 'orders' });
    await publisher().publish([change('order-brief', 1, 'alice')]);
    // then each was told, got no change, and is forgotten with its subscriptions
    for (const connectionId of ['conn-brief-1', 'conn-brief-2']) {
      expect(proxy.framesOf(connectionId).at(-1)).toMatchObject({ type: 'error', status: 401, code: 'UNAUTHENTICATED' });
      expect(changedFrames(connectionId)).toEqual([]);
      expect(await connections().connection(connectionId)).toBeUndefined();
    }
  });

  it('sends at most the budget per second and coalesces the rest per document to the latest version, dropping nothing', async () => {
    // given a support connection subscribed to every order, and a budget of 2 frames per second
    await connect('conn-burst', 'sue', ['support']);
    await send('conn-burst', { type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    const burst = publisher(2);
    // when six versions of one order and one version of another are published at once
    await burst.publish([1, 2, 3, 4, 5, 6].map((version) => change('order-x', version)).concat(change('order-y', 1)));
    // then the first two go out as they are, then one frame per document with the newest version
    expect(changedFrames('conn-burst').map(({ id, version, coalesced }) => ({ id, version, coalesced }))).toEqual([
      { id: 'order-x', version: 1, coalesced: undefined },
      { id: 'order-x', version: 2, coalesced: undefined },
      { id: 'order-x', version: 6, coalesced: 3 },
      { id: 'order-y', version: 1, coalesced: undefined },
    ]);
  });

  it('shares one connection\'s budget between concurrent publishers (claims in DynamoDB), so no second carries more than it', async () => {
    // given a connection and a budget of 3 per second, claimed by two publishers at once
    await connect('conn-shared', 'sue', ['support']);
    await send('conn-shared', { type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    const store = connections();
    // when each wants 3 frames in the same second
    const nowMs = Date.now();
    const [first, second] = await Promise.all([store.claimSends('conn-shared', 3, 3, nowMs), store.claimSends('conn-shared', 3, 3, nowMs)]);
    // then together they get the budget, no more
    expect((first as number) + (second as number)).toBe(3);
  });

  it('writes no subscription for a connection already gone (a subscribe racing $disconnect), and expires what a lost $disconnect leaves', async () => {
    // given a connection that is gone, and one that is there
    const store = connections();
    await connect('conn-ttl', 'erin', ['customer']);
    // when
    const written = await store.subscribe('conn-never-connected', { subscriptionId: 's', resourceType: 'orders', ownerOnly: 'nobody' }, Date.now());
    // then
    expect(written).toBe(false);
    expect((await store.subscribersOf(['own#orders#nobody'])).get('own#orders#nobody')).toEqual([]);
    const item = await dynamo.send(new GetItemCommand({ TableName: names.connectionsTable, Key: { connectionId: { S: 'conn-ttl' }, entry: { S: 'connection' } } }));
    const expiresAt = Number(item.Item?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000 + 2 * 3600);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 3 * 3600 + 1);
  });

  it('deletes a connection and its subscriptions on $disconnect', async () => {
    // when
    const answer = await webSocket(event('$disconnect', 'conn-bob'), lambdaContext());
    // then
    expect(answer.statusCode).toBe(200);
    expect(await connections().connection('conn-bob')).toBeUndefined();
    const subscribers = await connections().subscribersOf(['own#orders#bob']);
    expect(subscribers.get('own#orders#bob')).toEqual([]);
  });

  function connections(): DynamoDbConnectionStore {
    return new DynamoDbConnectionStore({ client: dynamo, tableName: names.connectionsTable });
  }

  function publisher(maxPerSecond?: number): WebSocketNotificationPublisher {
    const store = connections();
    const delivery = new WebSocketConnectionDelivery({ connections: store, poster: new WebSocketConnectionPoster({ client: management }), logger: silentLogger, ...(maxPerSecond === undefined ? {} : { maxPerSecond }) });
    return new WebSocketNotificationPublisher({ connections: store, delivery });
  }

  async function connect(connectionId: string, subject: string, roles: string[]): Promise<void> {
    const answer = await webSocket(connectEvent(connectionId, { Authorization: `Bearer ${await token(subject, roles)}` }), lambdaContext());
    expect(answer.statusCode).toBe(200);
  }

  async function send(connectionId: string, frame: Frame): Promise<void> {
    expect((await webSocket(messageEvent(connectionId, JSON.stringify(frame)), lambdaContext())).statusCode).toBe(200);
  }

  function changedFrames(connectionId: string): Frame[] {
    return proxy.framesOf(connectionId).filter((frame) => frame.type === 'changed' && frame.subscriptionId !== 'one');
  }

  async function placeOrder(customerId: string): Promise<string> {
    const answer = await command('PlaceOrder', { customerId, items: [{ sku: 'A', quantity: 1, unitPrice: 5 }], currency: 'EUR' }, await token(customerId, ['customer']));
    return (JSON.parse(answer.body) as { aggregateId: string }).aggregateId;
  }

  async function command(type: string, body: unknown, bearer: string): Promise<ApiResult> {
    const api = load<Handler<unknown, ApiResult>>('../../handlers/aws/lambda/api');
    const answer = await api(httpApiEvent('POST', `/api/commands/${type}`, body, { token: bearer, accountId: MOTO_ACCOUNT }), lambdaContext());
    expect(answer.statusCode).toBe(202);
    return answer;
  }

  /** The router over the events table's stream, then order-list over the core stream's new records, as Lambda would run them. */
  async function runPipelines(): Promise<void> {
    const events = await eventsTableStreamRecords({ dynamo, streams }, names.eventsTable);
    const before = (await kinesisShardRecords(kinesis, names.coreStream)).records.length;
    const router = load<Handler<unknown, unknown>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'router' });
    await router(dynamoDbStreamEvent(events.streamArn, events.records), lambdaContext());
    // The router is at-least-once: the stream's earlier records are routed again; order-list reads only the new ones.
    const core = await kinesisShardRecords(kinesis, names.coreStream, Math.max(kinesisSeen, before));
    kinesisSeen = before + core.records.length;
    const orderList = load<Handler<unknown, { batchItemFailures: unknown[] }>>('../../handlers/aws/lambda/pipeline', { NEXUS_PIPELINE: 'order-list' });
    expect(await orderList(kinesisEvent(core.streamArn, [{ shardId: core.shardId, records: core.records }]), lambdaContext())).toEqual({ batchItemFailures: [] });
  }
});

function change(id: string, version: number, owner?: string): DocumentChanged {
  return { resourceType: 'orders', id, version, eventId: `event-${id}-${version}`, ...(owner === undefined ? {} : { owner }) };
}

function token(subject: string, roles: string[]): Promise<string> {
  return mintDevelopmentToken(SECRET, { subject, roles });
}

/** An API Gateway WebSocket event of `routeKey` on `connectionId`. */
function event(routeKey: string, connectionId: string, extra: Partial<WebSocketEvent> = {}): WebSocketEvent {
  return {
    requestContext: { routeKey, connectionId, domainName: 'abc123.execute-api.us-west-2.amazonaws.com', stage: 'test', requestId: `req-${Math.random().toString(36).slice(2)}` },
    isBase64Encoded: false,
    ...extra,
  };
}

function connectEvent(connectionId: string, headers: Record<string, string>): WebSocketEvent {
  return event('$connect', connectionId, { headers: { Host: 'abc123.execute-api.us-west-2.amazonaws.com', 'Sec-WebSocket-Version': '13', ...headers } });
}

function messageEvent(connectionId: string, body: string): WebSocketEvent {
  return event('$default', connectionId, { body });
}

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'webSocket',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT}:function:webSocket`,
    memoryLimitInMB: '512',
    awsRequestId: `request-${Math.random().toString(36).slice(2)}`,
    logGroupName: '/aws/lambda/webSocket',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Loads a handler module afresh (a new container) with `env` over the suite's environment, kept set. */
function load<H>(path: string, env: Record<string, string> = {}): H {
  setEnv(env);
  let loaded: { handler: H } | undefined;
  jest.isolateModules(() => {
    // A fresh module registry per load is a fresh container: only require() can load into it synchronously.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path) as { handler: H };
  });
  return (loaded as { handler: H }).handler;
}

