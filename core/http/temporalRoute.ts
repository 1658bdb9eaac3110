import type { Context, Hono } from 'hono';
import type { AccessGuard } from '../auth/AccessGuard';
import type { ResourceRef } from '../auth/Authorizer';
import { errorCodeOf } from '../errors/NexusError';
import type { Logger } from '../logging/Logger';
import type { ApiEnv } from './authenticate';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { once } from './once';
import { pathParameterOf } from './pathParameter';
import { TemporalAggregates } from './temporalAggregates';
import type { TemporalAggregate } from './temporalAggregates';
import { TemporalContinuation } from './temporalContinuation';
import type { TemporalQueryKey } from './temporalContinuation';
import { parseTemporalQuery } from './temporalQuery';
import type { TemporalQueryDependencies, TemporalQueryOptions, TemporalState } from './temporalQuery';
import { replayAsOf } from './temporalReplay';
import type { TemporalReplayResult } from './temporalReplay';

/** The route of temporal queries; today's `/api/queries/temporal/orders/:id` is this route for `Order`. */
export const TEMPORAL_QUERY_PATH = '/api/queries/temporal/:aggregateType/:id';

/** What {@link addTemporalRoute} needs besides the app. */
export interface TemporalRouteDependencies {
  history: TemporalQueryDependencies;
  guard: AccessGuard;
  logger: Logger;
}

/**
 * Adds `GET /api/queries/temporal/{aggregateType}/{id}?asOf=&since=&continuation=` for every
 * aggregate type of `history` (see TemporalAggregates for the names): the aggregate's state as of
 * asOf, replayed from its events, and with since the changes in [since, asOf].
 *
 * Limits: the range since..asOf (`maxRangeDays`, 400 naming `since`); at most
 * `maxEventsPerRequest` events read per request, past which the answer is 200 with
 * `complete: false`, the state folded so far and a signed `continuation` that resumes exactly
 * there (400 naming `continuation` when altered or used with another aggregate, id, asOf or
 * since); `timeoutMs` (504 `QUERY_TIMEOUT`); the rate limit is the policy's, counted by the
 * authentication middleware for every path under `/api/queries/temporal/`. An unknown aggregate
 * type is 404 naming `aggregateType`; an aggregate without events up to asOf is 404.
 *
 * Every request is logged at info with the principal's id and client, the query, and its outcome.
 */
export function addTemporalRoute(app: Hono<ApiEnv>, deps: TemporalRouteDependencies, options: Required<TemporalQueryOptions>): void {
  const { history, guard, logger } = deps;
  if (!Number.isInteger(options.maxEventsPerRequest) || options.maxEventsPerRequest < 1) {
    throw new TypeError(`temporal maxEventsPerRequest must be a positive integer, not ${options.maxEventsPerRequest}`);
  }
  const served = new TemporalAggregates([...(history.aggregate === undefined ? [] : [history.aggregate]), ...(history.aggregates ?? [])]);
  const continuations = new TemporalContinuation(options.continuationKey);
  const limits = { maxEvents: options.maxEventsPerRequest, timeoutMs: options.timeoutMs, clock: options.clock };

  app.get(TEMPORAL_QUERY_PATH, async (c) => {
    const principal = c.get('principal');
    const logged: Record<string, unknown> = { principal: principal.id, clientId: principal.clientId, correlationId: c.get('correlationId'), path: c.req.path };
    try {
      const answer = await answerOf(c, logged);
      logger.info('temporal query', { ...logged, complete: answer.complete, version: answer.version });
      return c.json(answer);
    } catch (error) {
      logger.info('temporal query failed', { ...logged, code: errorCodeOf(error) ?? HTTP_ERRORS.INTERNAL });
      throw error;
    }
  });

  async function answerOf(c: Context<ApiEnv>, logged: Record<string, unknown>): Promise<TemporalState> {
    const aggregate = served.resolve(pathParameterOf(c.req.url, TEMPORAL_QUERY_PATH, 'aggregateType', 'aggregateType'));
    const id = pathParameterOf(c.req.url, TEMPORAL_QUERY_PATH, 'id', aggregate.idField);
    const query = parseTemporalQuery(new URL(c.req.url), options.maxRangeDays);
    const key: TemporalQueryKey = { aggregateType: aggregate.aggregate.aggregateType, aggregateId: id, asOf: query.asOf.toISOString(), since: query.since?.toISOString() ?? null };
    Object.assign(logged, { ...key, resumed: query.continuation !== undefined });
    // Checked before authorization, like every other input: the same answer for every caller.
    const from = query.continuation === undefined ? undefined : continuations.resume(query.continuation, key);
    const replay = once(() => replayAsOf(history, aggregate.aggregate, id, query, limits, from));
    await guard.authorize({
      principal: c.get('principal'),
      action: aggregate.action,
      correlationId: c.get('correlationId'),
      resource: async () => resourceOf(aggregate, id, (await replay()).state),
    });
    const result = await replay();
    logged.eventsScanned = result.eventsScanned;
    if (result.version === 0) throw new HttpRequestError(HTTP_ERRORS.NOT_FOUND, `${aggregate.resourceType} ${id} did not exist at ${key.asOf}`, { [aggregate.idField]: id });
    return stateOf(key, result, result.complete ? undefined : continuations.issue(key, result));
  }
}

function stateOf(key: TemporalQueryKey, result: TemporalReplayResult, continuation: string | undefined): TemporalState {
  return {
    aggregateId: key.aggregateId,
    asOf: key.asOf,
    version: result.version,
    state: result.state,
    ...(key.since === null ? {} : { changes: result.changes }),
    complete: result.complete,
    ...(continuation === undefined ? {} : { continuation }),
  };
}

function resourceOf(aggregate: TemporalAggregate, id: string, state: unknown): ResourceRef {
  const owner = typeof state === 'object' && state !== null ? (state as Record<string, unknown>)[aggregate.ownerField] : undefined;
  return { type: aggregate.resourceType, id, ...(typeof owner === 'string' ? { ownerId: owner } : {}) };
}
