/**
 * The routes of the API Gateway WebSocket API, transport-shaped but AWS-free to call:
 * `$connect` authenticates the token and stores the connection with its principal (401 refuses
 * the handshake), `$disconnect` deletes it with its subscriptions, `$default` reads one client
 * frame (core/notifications/NotificationProtocol.ts), authorizes a subscription with core's
 * SubscriptionAuthorizer (the read routes' policy) and answers through the management API.
 */
import { decodeJwt } from 'jose';
import type { TokenVerifier } from '../../../core/auth/Principal';
import type { DynamoDbConnectionStore } from '../../../adapters/aws/DynamoDbConnectionStore';
import type { DynamoDbNotificationLog } from '../../../adapters/aws/DynamoDbNotificationLog';
import { tokenExpiredFrame } from '../../../adapters/aws/WebSocketConnectionDelivery';
import type { WebSocketConnectionDelivery } from '../../../adapters/aws/WebSocketConnectionDelivery';
import { AuthenticationError } from '../../../core/auth/AuthErrors';
import { toProblem } from '../../../core/http/problemDetails';
import type { Logger } from '../../../core/logging/Logger';
import { handshakeTokenOf, NOTIFICATION_SUBPROTOCOL, offeredSubprotocols, parseClientFrame } from '../../../core/notifications/NotificationProtocol';
import type { SubscribeFrame } from '../../../core/notifications/NotificationProtocol';
import { notificationErrorFrame } from '../../../core/notifications/notificationErrorFrame';
import { subscriptionMatches } from '../../../core/notifications/SubscriptionAuthorizer';
import type { SubscriptionAuthorizer } from '../../../core/notifications/SubscriptionAuthorizer';

/** An API Gateway WebSocket event, as the function receives it on each route. */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    connectionId: string;
    /** With `stage`, the management URL of the API that sent it: `https://<domainName>/<stage>`. */
    domainName: string;
    stage: string;
    requestId?: string;
  };
  /** On `$connect`: the handshake's headers. */
  headers?: Record<string, string | undefined>;
  /** On `$default`: the client's text frame. */
  body?: string;
  isBase64Encoded?: boolean;
}

/** What a route answers API Gateway (on `$connect`, a status other than 2xx refuses the handshake). */
export interface WebSocketResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What the routes use. */
export interface WebSocketRouteDependencies {
  verifier: TokenVerifier;
  connections: DynamoDbConnectionStore;
  log: DynamoDbNotificationLog;
  subscriptions: SubscriptionAuthorizer;
  /** The delivery to the API that sent the event. */
  deliveryFor(event: WebSocketEvent): WebSocketConnectionDelivery;
  logger: Logger;
  /** @defaultValue Date.now */
  clock?: () => number;
}

const PROBLEM_INSTANCE = '/ws';

/** Answers one event of any route. */
export async function answerWebSocketEvent(deps: WebSocketRouteDependencies, event: WebSocketEvent): Promise<WebSocketResult> {
  switch (event.requestContext.routeKey) {
    case '$connect':
      return connect(deps, event);
    case '$disconnect':
      await deps.connections.disconnect(event.requestContext.connectionId);
      return { statusCode: 200 };
    default:
      await message(deps, event);
      return { statusCode: 200 };
  }
}

/**
 * The token comes as `Authorization: Bearer <jwt>` (wscat, servers) or, from a browser, which
 * cannot set headers on a WebSocket, as the subprotocol `bearer.<jwt>` offered beside
 * `nexus.notifications.v1`, which the answer then selects (a browser closes a connection whose
 * server selects none of the offered subprotocols); read as the embedded server reads it
 * (`handshakeTokenOf`).
 */
async function connect(deps: WebSocketRouteDependencies, event: WebSocketEvent): Promise<WebSocketResult> {
  const headers = lowerCased(event.headers);
  const correlationId = event.requestContext.requestId ?? event.requestContext.connectionId;
  let bearer;
  let principal;
  try {
    bearer = handshakeTokenOf(headers.authorization, headers['sec-websocket-protocol']);
    principal = await deps.verifier.verify(bearer);
  } catch (error) {
    const problem = toProblem(error, { correlationId, instance: PROBLEM_INSTANCE });
    if (problem.status !== 401) throw error;
    deps.logger.info('WebSocket connection refused', { connectionId: event.requestContext.connectionId, code: problem.code });
    return { statusCode: 401, headers: { 'Content-Type': 'application/problem+json' }, body: JSON.stringify(problem) };
  }
  // Verified above, so its claims can be read as they are; the verifier requires `exp`.
  const { exp } = decodeJwt(bearer);
  await deps.connections.connect(event.requestContext.connectionId, principal, (deps.clock ?? Date.now)(), typeof exp === 'number' ? exp * 1000 : undefined);
  return { statusCode: 200, ...(offeredSubprotocols(headers['sec-websocket-protocol']).includes(NOTIFICATION_SUBPROTOCOL) ? { headers: { 'Sec-WebSocket-Protocol': NOTIFICATION_SUBPROTOCOL } } : {}) };
}

/** One client frame; every refusal is answered with an `error` frame, never by failing the invocation. */
async function message(deps: WebSocketRouteDependencies, event: WebSocketEvent): Promise<void> {
  const { connectionId } = event.requestContext;
  const correlationId = event.requestContext.requestId ?? connectionId;
  const delivery = deps.deliveryFor(event);
  const text = event.isBase64Encoded === true ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  let subscriptionId: string | undefined;
  try {
    const connection = await deps.connections.connection(connectionId);
    if (connection === undefined) {
      await delivery.control(connectionId, notificationErrorFrame(new AuthenticationError('invalid', 'this connection is not (or no longer) registered: connect again'), correlationId));
      return;
    }
    if (connection.tokenExpiresAtMs !== undefined && connection.tokenExpiresAtMs <= (deps.clock ?? Date.now)()) {
      await delivery.control(connectionId, tokenExpiredFrame());
      await deps.connections.disconnect(connectionId);
      return;
    }
    const frame = parseClientFrame(text);
    subscriptionId = frame.subscriptionId;
    if (frame.type === 'unsubscribe') {
      await deps.connections.unsubscribe(connectionId, frame.subscriptionId);
      await delivery.control(connectionId, { type: 'unsubscribed', subscriptionId: frame.subscriptionId });
      return;
    }
    await subscribe(deps, delivery, connectionId, connection.principal, frame, correlationId);
  } catch (error) {
    const frame = notificationErrorFrame(error, correlationId, subscriptionId);
    if (frame.status >= 500) deps.logger.error('WebSocket frame failed', { connectionId, correlationId, error });
    await delivery.control(connectionId, frame);
  }
}

/**
 * Stores the authorized subscription before answering and before reading what it missed, so a
 * change is either published to it or found by the catch-up (some both: clients keep the highest
 * version).
 */
async function subscribe(deps: WebSocketRouteDependencies, delivery: WebSocketConnectionDelivery, connectionId: string, principal: Parameters<SubscriptionAuthorizer['authorize']>[0], frame: SubscribeFrame, correlationId: string): Promise<void> {
  const { subscription, catchUp } = await deps.subscriptions.authorize(principal, frame, correlationId);
  if (!(await deps.connections.subscribe(connectionId, subscription, (deps.clock ?? Date.now)()))) return;
  const head = deps.log.head();
  const subscribed = await delivery.control(connectionId, {
    type: 'subscribed',
    subscriptionId: subscription.subscriptionId,
    resourceType: subscription.resourceType,
    ...(subscription.id === undefined ? {} : { id: subscription.id }),
    scope: subscription.ownerOnly === undefined ? 'any' : 'own',
    ...(subscription.id === undefined ? { resumeAfter: frame.after ?? head } : {}),
  });
  if (subscribed === 'gone') return;
  if (catchUp !== undefined) await delivery.frames(connectionId, [catchUp]);
  if (frame.after === undefined) return;
  const missed = await deps.log.since(subscription.resourceType, frame.after);
  if (missed.kind === 'resync') {
    await delivery.deliver(connectionId, [], [{ subscriptionId: subscription.subscriptionId, reason: missed.reason, resumeAfter: missed.head }]);
    return;
  }
  const offers = missed.changes.filter(({ change }) => subscriptionMatches(subscription, change)).map(({ change, position }) => ({ subscriptionId: subscription.subscriptionId, change, position }));
  await delivery.deliver(connectionId, offers);
}

function lowerCased(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}
