export { IDEMPOTENCY_ERRORS } from './IdempotencyStore';
export type {
  ClaimOutcome,
  IdempotencyClaim,
  IdempotencyCompletion,
  IdempotencyScope,
  IdempotencyStore,
  IdempotentRequest,
  StoredResponse,
} from './IdempotencyStore';
export {
  IdempotencyClaimLostError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  IdempotencyStoreUnavailableError,
  isIdempotencyClaimLostError,
  isIdempotencyKeyInUseError,
  isIdempotencyKeyReusedError,
} from './IdempotencyErrors';
export { requestFingerprint } from './requestFingerprint';
export type { FingerprintedRequest } from './requestFingerprint';
export { acceptedCommandResponse } from './acceptedCommandResponse';
