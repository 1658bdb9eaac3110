/** What a request wants to touch; `ownerId` is the customer the resource belongs to. */
export interface ResourceRef {
  type: string;
  id?: string;
  /** Absent when the resource does not exist (so nobody owns it). */
  ownerId?: string;
}

/** The question put to the authorization policy. */
export interface AuthorizationRequest {
  subject: { id: string; roles: string[] };
  /** `command:<CommandType>` or `query:<name>`, e.g. `query:orders.temporal`. */
  action: string;
  /**
   * The permission a declared read model's queries need (`<permission>:read`), when it is not
   * its resource type; the policy reads it for `query:<resourceType>.list|get` only.
   */
  permission?: string;
  /** Absent to ask whether the subject may run the action at all, and with which scope. */
  resource?: ResourceRef;
}

/** Whether a grant covers any resource or only the subject's own; `none` when denied. */
export type GrantScope = 'any' | 'own' | 'none';

/** The policy's answer. */
export interface AuthorizationDecision {
  allow: boolean;
  /** The permission the action needs, e.g. `orders:read-history`. */
  permission: string;
  /**
   * `own` without a resource means: allowed only on resources the subject owns; ask again with
   * the resource to settle it.
   */
  scope: GrantScope;
  /** Why it was denied. */
  reason?: string;
}

/** A request as the rate-limit policy sees it. */
export interface RateLimitRequest {
  method: string;
  path: string;
}

/** A limit that applies to a request: at most `limit` requests per `windowSeconds` per client. */
export interface RateLimitRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** The rate-limit policy's answer for a request and the count of requests in its window. */
export interface RateLimitDecision {
  allow: boolean;
  limited: boolean;
  rule?: string;
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets (0 when allowed). */
  retryAfterSeconds?: number;
}

/**
 * The policy decision point for authorization (RBAC) and rate limits. Implementations evaluate
 * the Rego policies in `policies/runtime` (in-process WebAssembly in the embedded system).
 * Decisions are pure functions of their input.
 */
export interface Authorizer {
  authorize(request: AuthorizationRequest): Promise<AuthorizationDecision>;
  /** The rate limit that applies to a request, or undefined when it is not limited. */
  rateLimitRule(request: RateLimitRequest): Promise<RateLimitRule | undefined>;
  /** Decides from `count`, the requests of this client in the current window (this one included). */
  rateLimit(request: RateLimitRequest & { count: number; resetInSeconds: number }): Promise<RateLimitDecision>;
}
