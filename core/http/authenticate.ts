import type { MiddlewareHandler } from 'hono';
import type { AccessGuard } from '../auth/AccessGuard';
import type { Principal, TokenVerifier } from '../auth/Principal';
import type { Logger } from '../logging/Logger';
import { bearerTokenOf } from './bearerToken';

/** The per-request variables of the API's Hono app. */
export type ApiEnv = { Variables: { correlationId: string; principal: Principal } };

/** The one route answered without a token, so that load balancers and probes need none. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health']);

/**
 * Middleware: verifies the bearer token of every request but {@link PUBLIC_PATHS} and stores the
 * principal, then counts the request against the rate-limit policy. A refused token is logged
 * ("access denied", subject null) and rethrown as `UNAUTHENTICATED`; the rate limit rejects
 * with `RATE_LIMITED`. Runs after the correlation id is set.
 */
export function authenticate(verifier: TokenVerifier, guard: AccessGuard, logger: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    let principal: Principal;
    try {
      principal = await verifier.verify(bearerTokenOf(c.req.header('authorization')));
    } catch (error) {
      logger.warn('access denied', {
        subject: null,
        action: `${c.req.method} ${c.req.path}`,
        resource: c.req.path,
        correlationId: c.get('correlationId'),
        reason: (error as { reason?: unknown }).reason,
      });
      throw error;
    }
    c.set('principal', principal);
    await guard.limit(principal, { method: c.req.method, path: c.req.path }, c.get('correlationId'));
    await next();
  };
}
