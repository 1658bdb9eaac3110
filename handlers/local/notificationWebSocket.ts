/**
 * Live notifications on the embedded server: WebSocket at `/ws` on the HTTP server's own port
 * (the `ws` package), fed by {@link NotificationHub} from the notification log the pipelines
 * write in pipelines.db. The connection is authenticated once, before the upgrade, with the JWT
 * the HTTP API takes; every subscription is then authorized by the policy (see core/notifications).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { decodeJwt } from 'jose';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { AccessGuard } from '../../core/auth/AccessGuard';
import type { Principal, TokenVerifier } from '../../core/auth/Principal';
import { HttpRequestError, HTTP_ERRORS } from '../../core/http/HttpErrors';
import { toProblem } from '../../core/http/problemDetails';
import type { Logger } from '../../core/logging/Logger';
import type { NotificationHub } from '../../core/notifications/NotificationHub';
import { handshakeTokenOf, NOTIFICATION_SUBPROTOCOL } from '../../core/notifications/NotificationProtocol';
import type { ServerFrame } from '../../core/notifications/NotificationProtocol';

/** What {@link attachNotificationWebSocket} needs. */
export interface NotificationWebSocketDependencies {
  hub: NotificationHub;
  verifier: TokenVerifier;
  /** Counts the upgrade against the rate-limit policy, as every HTTP request is. */
  guard: AccessGuard;
  logger: Logger;
}

/** Tunables of {@link attachNotificationWebSocket}. */
export interface NotificationWebSocketOptions {
  /** @defaultValue '/ws' */
  path?: string;
  /** Largest client frame; a bigger one closes the connection (1009). @defaultValue 16384 */
  maxPayloadBytes?: number;
  /** Ping period; a client that has not answered the previous ping is dropped. @defaultValue 30000 */
  heartbeatMs?: number;
}

const DEFAULTS = { path: '/ws', maxPayloadBytes: 16_384, heartbeatMs: 30_000 };

/** Close code when the connection's token expires (4000-4999: the application's own; 4401 echoes HTTP 401). */
export const TOKEN_EXPIRED_CLOSE_CODE = 4401;

/** Longest delay a Node timer takes (about 24.8 days); tokens live far shorter. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The running WebSocket endpoint. */
export interface NotificationWebSocket {
  /** Closes every connection (1001, going away) and stops the hub. */
  close(): void;
}

/**
 * Serves WebSocket upgrades of `server` at `options.path`. The token comes from the
 * `Authorization: Bearer` header, or, for browsers (which cannot set headers on a WebSocket),
 * from the subprotocol list `nexus.notifications.v1, bearer.<jwt>`; the server selects
 * `nexus.notifications.v1`, so the token is never echoed back. Not from the query string, which
 * access logs and proxies record. A missing or invalid token is answered 401 (problem+json)
 * before the upgrade, a client over its rate limit 429, another path 404. The connection is
 * closed (4401, "token expired") when its token expires: the client reconnects with a fresh token
 * and resumes.
 */
export function attachNotificationWebSocket(server: Server, deps: NotificationWebSocketDependencies, options: NotificationWebSocketOptions = {}): NotificationWebSocket {
  const settings = { ...DEFAULTS, ...options };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxPayloadBytes,
    handleProtocols: (protocols) => (protocols.has(NOTIFICATION_SUBPROTOCOL) ? NOTIFICATION_SUBPROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void admit(request, deps, settings.path).then(
      ({ principal, expiresAtMs }) => wss.handleUpgrade(request, socket, head, (ws) => serve(ws, principal, expiresAtMs)),
      (error: unknown) => refuse(socket, error, deps.logger, request),
    );
  };

  const serve = (ws: WebSocket, principal: Principal, expiresAtMs: number): void => {
    alive.add(ws);
    // The token was checked once, at connect: the connection lasts no longer than it does.
    const expiry = setTimeout(() => ws.close(TOKEN_EXPIRED_CLOSE_CODE, 'token expired'), Math.min(Math.max(0, expiresAtMs - Date.now()), MAX_TIMER_MS));
    expiry.unref();
    const connection = deps.hub.connect(principal, (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    });
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        void connection.receive('\u0000binary'); // answered as malformed JSON: frames are text
        return;
      }
      void connection.receive(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    });
    ws.on('close', () => {
      clearTimeout(expiry);
      connection.close();
    });
    ws.on('error', (error) => deps.logger.debug('notification socket error', { error, subject: principal.id }));
  };

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, settings.heartbeatMs);
  heartbeat.unref();

  server.on('upgrade', onUpgrade);
  return {
    close: () => {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      wss.close();
      deps.hub.stop();
    },
  };
}

/** The principal of an upgrade request and when its token expires, or a rejection naming why it is refused. */
async function admit(request: IncomingMessage, deps: NotificationWebSocketDependencies, path: string): Promise<{ principal: Principal; expiresAtMs: number }> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== path) throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `no WebSocket endpoint at ${url.pathname}; notifications are at ${path}`);
  const token = handshakeTokenOf(request.headers.authorization, request.headers['sec-websocket-protocol']);
  const principal = await deps.verifier.verify(token);
  await deps.guard.limit(principal, { method: 'GET', path }, correlationIdOf(request));
  // Verified above, so its claims can be read as they are; the verifier requires `exp`.
  const { exp } = decodeJwt(token);
  return { principal, expiresAtMs: typeof exp === 'number' ? exp * 1000 : Date.now() };
}

/** Answers a refused upgrade with a problem+json response and closes the socket. */
function refuse(socket: Duplex, error: unknown, logger: Logger, request: IncomingMessage): void {
  const correlationId = correlationIdOf(request);
  const problem = toProblem(error, { correlationId, instance: new URL(request.url ?? '/', 'http://localhost').pathname });
  if (problem.status === 401) logger.warn('access denied', { subject: null, action: 'GET /ws', resource: '/ws', correlationId, reason: (error as { reason?: unknown }).reason });
  if (problem.status >= 500) logger.error('WebSocket upgrade failed', { error, correlationId });
  const body = JSON.stringify(problem);
  const headers = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? problem.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(problem.status === 401 ? ['WWW-Authenticate: Bearer'] : []),
    ...(typeof problem.retryAfterSeconds === 'number' ? [`Retry-After: ${problem.retryAfterSeconds}`] : []),
    'Connection: close',
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

function correlationIdOf(request: IncomingMessage): string {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}
