import type { Logger } from '../logging/Logger';
import { PermissionDeniedError, RateLimitedError } from './AuthErrors';
import type { AuthorizationDecision, Authorizer, RateLimitRequest, ResourceRef } from './Authorizer';
import type { Principal } from './Principal';
import type { RateLimitStore } from './RateLimitStore';
import { toWellFormedText } from '../text/wellFormedText';

/** What {@link AccessGuard} is built from. */
export interface AccessGuardDependencies {
  authorizer: Authorizer;
  rateLimits: RateLimitStore;
  logger: Logger;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
}

/** One access check: who wants to do what, in which request. */
export interface AccessRequest {
  principal: Principal;
  action: string;
  /** The permission of a declared read model's query (see AuthorizationRequest.permission). */
  permission?: string;
  correlationId: string;
  /**
   * Looks up the resource (and its owner) when the subject's grant covers only its own
   * resources. Called at most once, only when needed.
   */
  resource?: () => Promise<ResourceRef>;
}

/**
 * Asks the policies before every command and query, and logs every denial (warn, "access
 * denied", with subject, action, resource, correlationId and the missing permission or the rate
 * rule).
 *
 * Authorization runs in two steps so that owners are looked up only when they matter: first
 * "may this subject run this action at all?"; when the answer is "on its own resources only",
 * the resource is resolved and the policy asked again with its owner.
 *
 * Text that is not well-formed (a lone UTF-16 surrogate) is the authorizer's to refuse, fail-closed
 * (OPA's JSON parser cannot read it); the HTTP layer refuses such input earlier (401, 400, 422).
 * Denials are reported with well-formed text, since they go back to the client as JSON.
 *
 * @example
 * ```ts
 * const guard = new AccessGuard({ authorizer, rateLimits, logger });
 * await guard.authorize({ principal, action: 'query:orders.get', correlationId, resource: async () => ({ type: 'order', id, ownerId }) });
 * ```
 */
export class AccessGuard {
  private readonly clock: () => Date;

  constructor(private readonly deps: AccessGuardDependencies) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Resolves the final decision, or rejects with `PERMISSION_DENIED` naming the permission. A
   * decision with scope `own` and no resource callback means: allowed on the subject's own
   * resources only; the caller must restrict what it returns (e.g. filter a list).
   */
  async authorize(request: AccessRequest): Promise<AuthorizationDecision> {
    const subject = { id: request.principal.id, roles: request.principal.roles };
    const asked = { subject, action: request.action, ...(request.permission === undefined ? {} : { permission: request.permission }) };
    const first = await this.deps.authorizer.authorize(asked);
    if (!first.allow) throw this.deny(request, first, undefined);
    if (first.scope !== 'own' || request.resource === undefined) return first;
    const resource = await request.resource();
    const second = await this.deps.authorizer.authorize({ ...asked, resource });
    if (!second.allow) throw this.deny(request, second, resource);
    return second;
  }

  /** Counts the request against the rate limit that applies to it, if any; rejects with `RATE_LIMITED`. */
  async limit(principal: Principal, request: RateLimitRequest, correlationId: string): Promise<void> {
    const rule = await this.deps.authorizer.rateLimitRule(request);
    if (rule === undefined) return;
    const now = this.clock();
    const { count, resetAt } = await this.deps.rateLimits.hit(`${rule.name}:${principal.clientId}`, rule.windowSeconds, now);
    const resetInSeconds = Math.max(0, (resetAt.getTime() - now.getTime()) / 1000);
    const decision = await this.deps.authorizer.rateLimit({ ...request, count, resetInSeconds });
    if (decision.allow) return;
    const retryAfterSeconds = decision.retryAfterSeconds ?? Math.max(1, Math.ceil(resetInSeconds));
    this.deps.logger.warn('access denied', {
      subject: principal.id,
      clientId: principal.clientId,
      action: `${request.method} ${request.path}`,
      resource: request.path,
      correlationId,
      rule: rule.name,
      count,
    });
    throw new RateLimitedError(`at most ${rule.limit} requests per ${rule.windowSeconds} s are allowed for ${rule.name}; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      limit: rule.limit,
      windowSeconds: rule.windowSeconds,
      rateLimit: rule.name,
    });
  }

  private deny(request: AccessRequest, decision: AuthorizationDecision, resource: ResourceRef | undefined): PermissionDeniedError {
    this.deps.logger.warn('access denied', {
      subject: request.principal.id,
      roles: request.principal.roles,
      action: request.action,
      resource: resource === undefined ? null : `${resource.type}:${resource.id ?? '*'}`,
      correlationId: request.correlationId,
      permission: decision.permission,
      reason: decision.reason,
    });
    const where = resource === undefined ? '' : ` on ${resource.type} ${resource.id ?? ''}`.trimEnd();
    // Made well-formed: the message and details go back to the client as JSON.
    const text = toWellFormedText;
    return new PermissionDeniedError(text(`permission ${decision.permission} is required to run ${request.action}${where}: ${decision.reason ?? 'denied by policy'}`), {
      permission: text(decision.permission),
      action: text(request.action),
      ...(resource === undefined ? {} : { resourceType: text(resource.type), ...(resource.id === undefined ? {} : { resourceId: text(resource.id) }) }),
    });
  }
}
