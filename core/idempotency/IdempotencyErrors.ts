import { hasErrorCode, NexusError } from '../errors/NexusError';
import { IDEMPOTENCY_ERRORS } from './IdempotencyStore';
import type { IdempotencyScope } from './IdempotencyStore';

/** The header the errors name as their `field`. */
const FIELD = 'Idempotency-Key';

/** The key was used before for a different request. */
export class IdempotencyKeyReusedError extends NexusError {
  constructor(scope: IdempotencyScope) {
    super(IDEMPOTENCY_ERRORS.KEY_REUSED, `idempotency key "${scope.key}" was used for a different request; send a new key for a new request`, {
      details: { field: FIELD },
    });
  }
}

/** A request with the same key is still running. */
export class IdempotencyKeyInUseError extends NexusError {
  constructor(scope: IdempotencyScope, retryAfterMs: number) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(IDEMPOTENCY_ERRORS.KEY_IN_USE, `a request with idempotency key "${scope.key}" is still running; retry in ${retryAfterSeconds} s`, {
      details: { field: FIELD, retryAfterSeconds },
    });
  }
}

/** The claim's lease ran out and another request owns the key now; nothing was written. */
export class IdempotencyClaimLostError extends NexusError {
  constructor(scope: IdempotencyScope) {
    super(IDEMPOTENCY_ERRORS.CLAIM_LOST, `the claim on idempotency key "${scope.key}" ran out and another request took it over; nothing was written`, {
      details: { field: FIELD },
    });
  }
}

/** The idempotency store's engine failed. */
export class IdempotencyStoreUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(IDEMPOTENCY_ERRORS.STORE_UNAVAILABLE, `idempotency store ${operation} failed: ${reason}`, { cause, details: { operation } });
  }
}

/** True for a key used for a different request. */
export function isIdempotencyKeyReusedError(error: unknown): boolean {
  return hasErrorCode(error, IDEMPOTENCY_ERRORS.KEY_REUSED);
}

/** True for a key whose request is still running. */
export function isIdempotencyKeyInUseError(error: unknown): boolean {
  return hasErrorCode(error, IDEMPOTENCY_ERRORS.KEY_IN_USE);
}

/** True for a completion by a claim that lost its lease. */
export function isIdempotencyClaimLostError(error: unknown): boolean {
  return hasErrorCode(error, IDEMPOTENCY_ERRORS.CLAIM_LOST);
}
