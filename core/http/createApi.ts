import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CommandService } from '../command/CommandService';
import type { Logger } from '../logging/Logger';
import type { ReadModelStore } from '../readmodel/ReadModelStore';
import type { ReadModelDeclaration } from '../readmodel/ReadModelDeclaration';
import { errorCodeOf } from '../errors/NexusError';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { PROBLEM_CONTENT_TYPE, problemFor, toProblem } from './problemDetails';
import type { ProblemDocument } from './problemDetails';
import { READ_JSON_BODY_DEFAULTS, readJsonBody } from './readJsonBody';
import { methodNotAllowed, methodsByPath } from './methodNotAllowed';
import { addReadModelRoutes } from './readModelRoutes';
import { authenticate } from './authenticate';
import type { ApiEnv } from './authenticate';
import { TEMPORAL_QUERY_DEFAULTS } from './temporalQuery';
import type { TemporalQueryDependencies, TemporalQueryOptions } from './temporalQuery';
import { addTemporalRoute } from './temporalRoute';
import { addSagaRoute } from './sagaRoute';
import type { AccessGuard } from '../auth/AccessGuard';
import type { CommandOwnership } from '../auth/CommandOwnership';
import type { TokenVerifier } from '../auth/Principal';
import { AUTH_ERRORS } from '../auth/AuthErrors';
import { CommandValidationError, UnknownCommandError } from '../command/CommandErrors';
import type { IdempotencyStore } from '../idempotency/IdempotencyStore';
import { idempotentCommand } from './idempotentCommand';
import { addApiDocsRoutes } from './openapi/apiDocsRoutes';
import type { ApiDocsAccess } from './openapi/fixedOperations';
import { openApiDocumentOf } from './openapi/openApiDocumentOf';

/** What the API talks to. */
export interface ApiDependencies {
  commands: CommandService;
  /** The declared read models, each served at `/api/queries/{resourceType}[/{id}]`. */
  readModels: readonly ReadModelDeclaration[];
  /** Where the declared read models' collections live. */
  readModelStore: ReadModelStore;
  logger: Logger;
  /** Extra members of `GET /health`; a rejection answers 503. */
  health?: () => Promise<Record<string, unknown>>;
  security: ApiSecurity;
  /** What `GET /api/queries/temporal/{aggregateType}/:id` replays, for each aggregate type it serves. */
  history: TemporalQueryDependencies;
  /** Keys of `Idempotency-Key` on commands; absent: a command with the header is refused (400). */
  idempotency?: IdempotencyStore;
  /** HMAC key of read-model list cursors (from configuration). @defaultValue PUBLIC_CURSOR_KEY (see readModelCursor.ts) */
  readModelCursorKey?: string | Uint8Array;
}

/** Authentication and authorization of every route but `/health`. */
export interface ApiSecurity {
  verifier: TokenVerifier;
  /** Asks the authorization and rate-limit policies; logs every denial. */
  guard: AccessGuard;
  /** Finds the owner of a command's target before the command runs. */
  ownership: CommandOwnership;
}

/** Tunables of {@link createApi}. */
export interface ApiOptions {
  /** Largest accepted request body. @defaultValue 65536 */
  maxBodyBytes?: number;
  /**
   * Longest a request body may take to arrive; a shorter body than its Content-Length, or a slow
   * one, is answered 408 `REQUEST_TIMEOUT`. @defaultValue 10000
   */
  bodyTimeoutMs?: number;
  /** Limits of temporal queries. @defaultValue TEMPORAL_QUERY_DEFAULTS (90 days, 30 s, 10,000 events a request) */
  temporal?: TemporalQueryOptions;
  /**
   * Who may read `GET /openapi.json` and the reference page `GET /docs`. `public` by default,
   * unlike every other route: a browser opening the page sends no bearer token, and the document
   * holds the API's shape (routes, parameters, schemas), never data. `authenticated` treats them
   * like the rest (for an API whose shape is itself confidential; the page then needs a proxy
   * that adds the token); `off` serves neither. @defaultValue 'public'
   */
  apiDocs?: ApiDocsAccess;
}

/** Defaults of {@link ApiOptions}. */
export const API_DEFAULTS: Required<ApiOptions> = {
  maxBodyBytes: 65_536,
  bodyTimeoutMs: READ_JSON_BODY_DEFAULTS.timeoutMs,
  temporal: TEMPORAL_QUERY_DEFAULTS,
  apiDocs: 'public',
};

/** Header carrying the correlation id in and out. */
export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Env = ApiEnv;

/**
 * The HTTP API as a Hono app, independent of any runtime: serve `app.fetch` with
 * `@hono/node-server` locally or `hono/aws-lambda` on Lambda.
 *
 * Routes: `POST /api/commands/:commandType` (202 with aggregateId, version, eventIds,
 * correlationId); for every declared read model `GET /api/queries/:resourceType` (filters,
 * sort, cursor pagination; see readModelRoutes.ts) and `GET /api/queries/:resourceType/:id`;
 * `GET /api/queries/temporal/:aggregateType/:id?asOf=&since=&continuation=` (an aggregate's
 * state as of a time, replayed from its events, at most `temporal.maxEventsPerRequest` events a
 * request; see temporalRoute.ts; `/api/queries/temporal/orders/:id` is the order's); `GET /health`;
 * `GET /openapi.json` (the OpenAPI 3.1 document, generated from the commands and the read-model
 * declarations; see openapi/) and `GET /docs` (Swagger UI rendering it), public unless
 * `apiDocs` says otherwise.
 *
 * Security: every route but `/health` (and, unless `apiDocs` says otherwise, the reference) needs `Authorization: Bearer <jwt>` (401 `UNAUTHENTICATED`
 * with `WWW-Authenticate` otherwise); then the rate-limit policy counts the request (429
 * `RATE_LIMITED` with `Retry-After`), and the authorization policy decides on the command or
 * query and, for grants on own resources only, on the resource's owner (403 `PERMISSION_DENIED`
 * naming the missing `permission`). A list asked under a grant on own documents only is
 * restricted to the caller's (a customer's order list shows its own orders).
 *
 * Every response carries `x-correlation-id` (the request's, when it is 1-128 characters of
 * [A-Za-z0-9._:-], or a new UUID). Every error
 * is an RFC 9457 `application/problem+json` document (see problemDetails.ts); 5xx are logged
 * with the correlation id and never expose a stack.
 *
 * Input is refused before authorization, the same for every caller: a command body that is not a
 * JSON object (422), text with a lone UTF-16 surrogate (422 `ILL_FORMED_TEXT` naming its path),
 * path ids and query parameters that are not percent-encoded UTF-8 (400 naming them), a body
 * that does not arrive within `bodyTimeoutMs` (408) or is abandoned (400, logged at info), and a
 * known path asked with another method (405 with `Allow`).
 *
 * @example
 * ```ts
 * const app = createApi({ commands, readModels: [orderListReadModel], readModelStore, logger, security, history });
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function createApi(deps: ApiDependencies, options: ApiOptions = {}): Hono<Env> {
  const { maxBodyBytes, bodyTimeoutMs, apiDocs } = { ...API_DEFAULTS, ...options };
  const temporal = { ...TEMPORAL_QUERY_DEFAULTS, ...options.temporal };
  const { verifier, guard, ownership } = deps.security;
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const given = c.req.header(CORRELATION_HEADER);
    const valid = given !== undefined && CORRELATION_ID.test(given);
    c.set('correlationId', valid ? given : crypto.randomUUID());
    c.header(CORRELATION_HEADER, c.get('correlationId'));
    if (given !== undefined && !valid) {
      throw new HttpRequestError(HTTP_ERRORS.INVALID_HEADER, `${CORRELATION_HEADER} must be 1 to 128 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"`, {
        field: CORRELATION_HEADER,
      });
    }
    await next();
  });

  const document = apiDocs === 'off' ? undefined : openApiDocumentOf(deps, { apiDocs, maxTemporalRangeDays: temporal.maxRangeDays });
  // Hono runs handlers in registration order: registered before authentication, the public
  // document and page answer before any token is asked for.
  if (document && apiDocs === 'public') addApiDocsRoutes(app, document);
  app.use('*', authenticate(verifier, guard, deps.logger));
  if (document && apiDocs === 'authenticated') addApiDocsRoutes(app, document);

  app.post('/api/commands/:commandType', async (c) => {
    const commandType = c.req.param('commandType');
    if (!deps.commands.commandTypes().includes(commandType)) throw new UnknownCommandError(commandType);
    const body = await readJsonBody(c.req.raw, maxBodyBytes, { timeoutMs: bodyTimeoutMs });
    // Refused before authorization, so that every caller gets the same answer for the same body.
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CommandValidationError(undefined, 'the command body must be a JSON object');
    await guard.authorize({
      principal: c.get('principal'),
      action: `command:${commandType}`,
      correlationId: c.get('correlationId'),
      resource: () => ownership.resourceOf(commandType, body),
    });
    return idempotentCommand(c, { store: deps.idempotency, logger: deps.logger, commandType, body }, (idempotency) =>
      deps.commands.handle(commandType, body, { correlationId: c.get('correlationId'), ...(idempotency ? { idempotency } : {}) }),
    );
  });

  addReadModelRoutes(app, { readModels: deps.readModels, store: deps.readModelStore, guard, ...(deps.readModelCursorKey === undefined ? {} : { cursorKey: deps.readModelCursorKey }) });

  addTemporalRoute(app, { history: deps.history, guard, logger: deps.logger }, temporal);

  addSagaRoute(app, { eventStore: deps.history.eventStore, codec: deps.history.codec, guard });

  app.get('/health', async (c) => {
    try {
      const extra = deps.health ? await deps.health() : {};
      return c.json({ status: 'ok', ...extra });
    } catch (cause) {
      // /health needs no token, so it names the failing check by its code only (never a path or
      // message); the full cause goes to the log.
      const reason = errorCodeOf(cause) ?? HTTP_ERRORS.SERVICE_UNAVAILABLE;
      deps.logger.error('health check failed', { reason, error: cause });
      const problem = problemFor(HTTP_ERRORS.SERVICE_UNAVAILABLE, `not healthy: ${reason}`, contextOf(c));
      return problemResponse(c, { ...problem, reason });
    }
  });

  // Last, so that every route above is known: its path with another method is 405, not 404.
  for (const [path, allow] of methodsByPath(app.routes)) {
    app.all(path, (c) => {
      throw methodNotAllowed(c.req.method, path, allow);
    });
  }

  app.notFound((c) => problemResponse(c, problemFor(HTTP_ERRORS.NOT_FOUND, `no route for ${c.req.method} ${c.req.path}`, contextOf(c))));

  app.onError((error, c) => {
    const problem = toProblem(error, contextOf(c));
    const fields = { code: problem.code, status: problem.status, correlationId: problem.correlationId, path: c.req.path };
    if (problem.status >= 500) deps.logger.error('request failed', { ...fields, error });
    else deps.logger.info('request refused', { ...fields, detail: problem.detail });
    return problemResponse(c, problem);
  });

  return app;
}

function contextOf(c: Context<Env>): { correlationId: string; instance: string } {
  // A request refused before the correlation middleware ran still gets an id.
  const correlationId = c.get('correlationId') ?? crypto.randomUUID();
  return { correlationId, instance: c.req.path };
}

function problemResponse(c: Context<Env>, problem: ProblemDocument): Response {
  c.header(CORRELATION_HEADER, problem.correlationId);
  // A refusal that knows when a retry may succeed (429, IDEMPOTENCY_KEY_IN_USE) says so; 503 and 429 always do.
  const retryAfterSeconds = typeof problem.retryAfterSeconds === 'number' ? problem.retryAfterSeconds : problem.status === 503 || problem.status === 429 ? 1 : undefined;
  if (retryAfterSeconds !== undefined) c.header('retry-after', String(retryAfterSeconds));
  if (problem.status === 405 && typeof problem.allow === 'string') c.header('allow', problem.allow);
  // The rest of a late body may still be on its way: do not wait for it on this connection.
  if (problem.status === 408) c.header('connection', 'close');
  if (problem.code === AUTH_ERRORS.UNAUTHENTICATED) c.header('www-authenticate', `Bearer realm="nexus", error="invalid_token"`);
  c.header('content-type', PROBLEM_CONTENT_TYPE);
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode);
}
