import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CommandService } from '../command/CommandService';
import type { Logger } from '../logging/Logger';
import { READ_MODEL_ERRORS } from '../readmodel/ReadModelStore';
import type { ReadModelCollection, ReadModelDocument } from '../readmodel/ReadModelStore';
import { hasErrorCode } from '../errors/NexusError';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { PROBLEM_CONTENT_TYPE, problemFor, toProblem } from './problemDetails';
import type { ProblemDocument } from './problemDetails';
import { readJsonBody } from './readJsonBody';
import { parseOrderListQuery } from './orderListQuery';

/** What the API talks to. */
export interface ApiDependencies {
  commands: CommandService;
  /** The `orders` read model (order list documents). */
  orders: ReadModelCollection<Record<string, unknown>>;
  logger: Logger;
  /** Extra members of `GET /health`; a rejection answers 503. */
  health?: () => Promise<Record<string, unknown>>;
}

/** Tunables of {@link createApi}. */
export interface ApiOptions {
  /** Largest accepted request body. @defaultValue 65536 */
  maxBodyBytes?: number;
}

/** Defaults of {@link ApiOptions}. */
export const API_DEFAULTS: Required<ApiOptions> = {
  maxBodyBytes: 65_536,
};

/** Header carrying the correlation id in and out. */
export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Env = { Variables: { correlationId: string } };

/**
 * The HTTP API as a Hono app, independent of any runtime: serve `app.fetch` with
 * `@hono/node-server` locally or `hono/aws-lambda` on Lambda.
 *
 * Routes: `POST /api/commands/:commandType` (202 with aggregateId, version, eventIds,
 * correlationId); `GET /api/queries/orders` (filters, sort, cursor pagination);
 * `GET /api/queries/orders/:id`; `GET /health`. Every response carries `x-correlation-id`
 * (the request's, when it is 1-128 characters of [A-Za-z0-9._:-], or a new UUID). Every error
 * is an RFC 9457 `application/problem+json` document (see problemDetails.ts); 5xx are logged
 * with the correlation id and never expose a stack.
 *
 * @example
 * ```ts
 * const app = createApi({ commands, orders: readModels.collection('orders'), logger });
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function createApi(deps: ApiDependencies, options: ApiOptions = {}): Hono<Env> {
  const { maxBodyBytes } = { ...API_DEFAULTS, ...options };
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

  app.post('/api/commands/:commandType', async (c) => {
    const body = await readJsonBody(c.req.raw, maxBodyBytes);
    const result = await deps.commands.handle(c.req.param('commandType'), body, { correlationId: c.get('correlationId') });
    return c.json(result, 202);
  });

  app.get('/api/queries/orders', async (c) => {
    const query = parseOrderListQuery(new URL(c.req.url));
    const page = await deps.orders.query(query).catch((error: unknown) => {
      // Parameters are validated above, so the store can only object to the opaque cursor.
      if (hasErrorCode(error, READ_MODEL_ERRORS.INVALID_QUERY)) {
        throw new HttpRequestError(HTTP_ERRORS.INVALID_QUERY_PARAMETER, 'cursor is not a cursor of this query', { field: 'cursor' }, error);
      }
      throw error;
    });
    return c.json({ items: page.items.map(toView), ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) });
  });

  app.get('/api/queries/orders/:id', async (c) => {
    const id = c.req.param('id');
    const document = await deps.orders.get(id);
    if (!document) throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `order ${id} not found`, { orderId: id });
    return c.json(toView(document));
  });

  app.get('/health', async (c) => {
    try {
      const extra = deps.health ? await deps.health() : {};
      return c.json({ status: 'ok', ...extra });
    } catch (cause) {
      throw new HttpRequestError(HTTP_ERRORS.SERVICE_UNAVAILABLE, 'health check failed', {}, cause);
    }
  });

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
  if (problem.status === 503) c.header('retry-after', '1');
  c.header('content-type', PROBLEM_CONTENT_TYPE);
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode);
}

function toView(document: ReadModelDocument<Record<string, unknown>>): Record<string, unknown> {
  return { ...document.data, version: document.version };
}
