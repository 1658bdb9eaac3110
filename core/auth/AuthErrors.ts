import { NexusError, hasErrorCode } from '../errors/NexusError';

/** Error codes owned by authentication, authorization and rate limiting. */
export const AUTH_ERRORS = {
  /** No bearer token, or one that is malformed, expired or badly signed; details: reason. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The policy refused; details: permission, action, and resource when there was one. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** Too many requests in the current window; details: retryAfterSeconds, limit, windowSeconds, rateLimit (the rule's name). */
  RATE_LIMITED: 'RATE_LIMITED',
} as const;

/** Why a token was not accepted. */
export type AuthenticationFailure = 'missing' | 'malformed' | 'expired' | 'invalid';

/** A request without a valid bearer token. */
export class AuthenticationError extends NexusError {
  readonly reason: AuthenticationFailure;

  constructor(reason: AuthenticationFailure, message: string, cause?: unknown) {
    super(AUTH_ERRORS.UNAUTHENTICATED, message, { details: { reason }, cause });
    this.reason = reason;
  }
}

/** A request the authorization policy refused; `permission` names what was missing. */
export class PermissionDeniedError extends NexusError {
  constructor(message: string, details: { permission: string; action: string; resourceType?: string; resourceId?: string }) {
    super(AUTH_ERRORS.PERMISSION_DENIED, message, { details });
  }
}

/** A request over its rate limit; `retryAfterSeconds` says when the window resets. */
export class RateLimitedError extends NexusError {
  constructor(message: string, details: { retryAfterSeconds: number; limit: number; windowSeconds: number; rateLimit: string }) {
    super(AUTH_ERRORS.RATE_LIMITED, message, { details });
  }
}

/** True for a missing, malformed, expired or badly signed token. */
export function isAuthenticationError(error: unknown): boolean {
  return hasErrorCode(error, AUTH_ERRORS.UNAUTHENTICATED);
}

/** True for a request the authorization policy refused. */
export function isPermissionDeniedError(error: unknown): boolean {
  return hasErrorCode(error, AUTH_ERRORS.PERMISSION_DENIED);
}

/** True for a request over its rate limit. */
export function isRateLimitedError(error: unknown): boolean {
  return hasErrorCode(error, AUTH_ERRORS.RATE_LIMITED);
}
