import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerType } from '@hono/node-server';
import { HTTP_ERRORS } from '../../core/http/HttpErrors';
import { PROBLEM_CONTENT_TYPE, problemFor } from '../../core/http/problemDetails';
import type { Logger } from '../../core/logging/Logger';

/** Limits of the Node HTTP server itself, below the app. */
export interface HttpServerLimitsOptions {
  /**
   * Longest the request line and headers may take to arrive (Node's `headersTimeout`; its
   * default is 60 s). @defaultValue 10000
   */
  headersTimeoutMs?: number;
  /**
   * Longest a whole request may take to arrive (Node's `requestTimeout`; its default is 300 s).
   * A backstop only: the API's own body timeout (10 s by default) answers first, so keep this
   * above it. Node checks it every 30 s, so it fires up to 30 s late. @defaultValue 30000
   */
  requestTimeoutMs?: number;
}

/** Defaults of {@link HttpServerLimitsOptions}. */
export const HTTP_SERVER_LIMITS_DEFAULTS: Required<HttpServerLimitsOptions> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** What Node's parser reports -> the problem a client gets; anything else is a malformed request (400). */
const CLIENT_ERROR_CODES: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: HTTP_ERRORS.HEADERS_TOO_LARGE,
  ERR_HTTP_REQUEST_TIMEOUT: HTTP_ERRORS.REQUEST_TIMEOUT,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: HTTP_ERRORS.PAYLOAD_TOO_LARGE,
};

const DETAILS: Readonly<Record<string, string>> = {
  [HTTP_ERRORS.HEADERS_TOO_LARGE]: 'the request headers are larger than the server accepts; send fewer or shorter headers',
  [HTTP_ERRORS.REQUEST_TIMEOUT]: 'the request did not arrive in time',
  [HTTP_ERRORS.PAYLOAD_TOO_LARGE]: 'the chunk extensions of the request body are too large',
  [HTTP_ERRORS.MALFORMED_REQUEST]: 'the request is not valid HTTP/1.1',
};

/**
 * Sets the Node server's timeouts (see {@link HttpServerLimitsOptions}) and answers what Node
 * refuses before the app sees a request as problem+json, as the app answers everything else:
 * headers over the limit (431 `HEADERS_TOO_LARGE`, which Node sends with an empty body), a
 * request that does not arrive in time (408 `REQUEST_TIMEOUT`), or bytes that are not HTTP (400
 * `MALFORMED_REQUEST`). These are the client's doing, so they are logged at info, a reset
 * connection at debug. HTTP/2 servers are left alone.
 *
 * @example
 * ```ts
 * const server = serve({ fetch: app.fetch, port: 3000 });
 * applyHttpServerLimits(server, {}, logger);
 * ```
 */
export function applyHttpServerLimits(server: ServerType, options: HttpServerLimitsOptions, logger: Logger): void {
  if (!('requestTimeout' in server)) return;
  const http1 = server as Server;
  const { headersTimeoutMs, requestTimeoutMs } = { ...HTTP_SERVER_LIMITS_DEFAULTS, ...options };
  http1.requestTimeout = requestTimeoutMs;
  http1.headersTimeout = Math.min(headersTimeoutMs, requestTimeoutMs);
  http1.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, logger));
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  // As Node's own handler: never write into a response already on its way, or a dead socket.
  if (error.code === 'ECONNRESET' || !socket.writable || responseStarted(socket)) {
    logger.debug('connection dropped', { reason: error.code ?? error.message });
    socket.destroy();
    return;
  }
  const code = CLIENT_ERROR_CODES[error.code ?? ''] ?? HTTP_ERRORS.MALFORMED_REQUEST;
  // The request line may not have been read, so the problem names no instance.
  const { instance: _unknown, ...problem } = problemFor(code, DETAILS[code] ?? 'the request was refused', { correlationId: randomUUID(), instance: '' });
  logger.info('request refused', { code, status: problem.status, correlationId: problem.correlationId, reason: error.code ?? error.message });
  const body = Buffer.from(JSON.stringify(problem));
  const head = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${body.byteLength}`,
    `x-correlation-id: ${problem.correlationId}`,
    'connection: close',
  ].join('\r\n');
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]), () => socket.destroy());
}

function responseStarted(socket: Duplex): boolean {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return inFlight?.headersSent === true;
}
