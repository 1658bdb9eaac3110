/**
 * The API function's view of each request: the correlation id on every log line of the request,
 * and its metrics (CommandLatency, CommandErrors, EventsAppended, QueryLatency). Wraps the app's
 * `fetch`, so the app itself stays the server's.
 */
import { CORRELATION_HEADER } from '../../../core/http/createApi';
import type { LambdaObservability } from './lambdaObservability';
import { METRICS } from './metricNames';

type Fetch = (request: Request) => Promise<Response>;

/**
 * Observes `fetch`: a request without `x-correlation-id` is given one here (a new UUID, passed on
 * to the app, which answers with it), so the log lines written while it runs carry the id the
 * client gets back. A command (POST /api/commands/...) adds its latency, a 5xx to CommandErrors and,
 * when accepted, its events to EventsAppended; a query (GET /api/queries/...) its latency.
 */
export function observedFetch(app: Fetch, observability: LambdaObservability): Fetch {
  return async (request) => {
    const given = request.headers.get(CORRELATION_HEADER);
    const correlationId = given ?? crypto.randomUUID();
    observability.root.appendKeys({ correlationId });
    const forwarded = given === null ? withHeader(request, CORRELATION_HEADER, correlationId) : request;
    const path = new URL(request.url).pathname;
    const startedAt = performance.now();
    const response = await app(forwarded);
    const elapsedMs = performance.now() - startedAt;
    const { metrics } = observability;
    if (request.method === 'POST' && path.startsWith('/api/commands/')) {
      metrics.add(METRICS.commandLatency, elapsedMs);
      metrics.add(METRICS.commandErrors, response.status >= 500 ? 1 : 0);
      if (response.status === 202) metrics.add(METRICS.eventsAppended, await appendedEvents(response));
    } else if (request.method === 'GET' && path.startsWith('/api/queries/')) {
      metrics.add(METRICS.queryLatency, elapsedMs);
    }
    // One access line per request, with the correlation id like every other line of it.
    observability.logger.info('request answered', { method: request.method, path, status: response.status, durationMs: Math.round(elapsedMs) });
    return response;
  };
}

function withHeader(request: Request, name: string, value: string): Request {
  const headers = new Headers(request.headers);
  headers.set(name, value);
  // duplex: a body stream may be forwarded (Node's fetch requires saying so).
  return new Request(request, { headers, ...(request.body === null ? {} : { duplex: 'half' }) } as RequestInit);
}

/** The accepted command's `eventIds` (0 if the body says none). */
async function appendedEvents(response: Response): Promise<number> {
  const body = (await response.clone().json()) as { eventIds?: unknown };
  return Array.isArray(body.eventIds) ? body.eventIds.length : 0;
}
