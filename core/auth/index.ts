export { AUTH_ERRORS, AuthenticationError, PermissionDeniedError, RateLimitedError, isAuthenticationError, isPermissionDeniedError, isRateLimitedError } from './AuthErrors';
export type { AuthenticationFailure } from './AuthErrors';
export type { Principal, TokenVerifier } from './Principal';
export type {
  Authorizer,
  AuthorizationRequest,
  AuthorizationDecision,
  GrantScope,
  ResourceRef,
  RateLimitRequest,
  RateLimitRule,
  RateLimitDecision,
} from './Authorizer';
export { RATE_LIMIT_STORE_ERRORS, RateLimitStoreUnavailableError } from './RateLimitStore';
export type { RateLimitStore, RateLimitCount } from './RateLimitStore';
export { JwtTokenVerifier, JWT_VERIFIER_DEFAULTS, MIN_SECRET_BYTES } from './JwtTokenVerifier';
export type { JwtKeySource, JwtVerifierOptions } from './JwtTokenVerifier';
export { AccessGuard } from './AccessGuard';
export type { AccessGuardDependencies, AccessRequest } from './AccessGuard';
export { CommandOwnership, COMMAND_OWNERSHIP_DEFAULTS } from './CommandOwnership';
export type { CommandOwnershipOptions } from './CommandOwnership';
export { mintDevelopmentToken, DEVELOPMENT_TOKEN_DEFAULTS } from './mintToken';
export type { DevelopmentTokenClaims } from './mintToken';
export { readOrCreateSecretFile, readSecretFile, SECRET_FILE_NAME } from './secretFile';
export { readAuthConfig, AuthConfigError } from './authConfig';
export type { AuthConfig } from './authConfig';
export { parseLifetimeSeconds, positiveLifetimeSeconds, InvalidTokenLifetimeError, isInvalidTokenLifetimeError, INVALID_TOKEN_LIFETIME } from './tokenLifetime';
