import { join } from 'node:path';
import type { JwtKeySource, JwtVerifierOptions } from './JwtTokenVerifier';
import { MIN_SECRET_BYTES } from './JwtTokenVerifier';
import { SECRET_FILE_NAME, readOrCreateSecretFile } from './secretFile';
import { isInvalidTokenLifetimeError, positiveLifetimeSeconds } from './tokenLifetime';

/** How the API authenticates, as chosen by configuration. */
export interface AuthConfig {
  keys: JwtKeySource;
  verifier: JwtVerifierOptions;
  /** Where the generated development secret lives, when no secret or JWKS URL was configured. */
  secretFile?: string;
}

/** A setting that cannot be used; the message names the variable. */
export class AuthConfigError extends Error {
  readonly code = 'INVALID_AUTH_CONFIG';
}

/**
 * Reads the authentication settings from the variables given (the caller passes
 * `process.env`): `NEXUS_JWKS_URL` (production: verify with the keys published there) wins over
 * `NEXUS_JWT_SECRET` (HS256, at least 32 bytes); with neither, the secret stored in
 * `<dataDir>/jwt-secret` is used, generated on first use with 0600 permissions.
 * `NEXUS_JWT_ISSUER` and `NEXUS_JWT_AUDIENCE` add `iss`/`aud` checks; `NEXUS_JWT_ROLES_CLAIM` names
 * the claim holding the roles (e.g. `cognito:groups`); `NEXUS_JWT_MAX_TTL`
 * (seconds, or like 90s, 15m, 1h, 7d; default 24h) is the longest lifetime a token may claim.
 * With the generated secret, a token that does not verify is answered with where that secret
 * lives, since the usual cause is a token minted for another data directory.
 */
export function readAuthConfig(env: Readonly<Record<string, string | undefined>>, dataDir: string): AuthConfig {
  const verifier: JwtVerifierOptions = {
    ...(nonEmpty(env.NEXUS_JWT_ISSUER) ? { issuer: env.NEXUS_JWT_ISSUER } : {}),
    ...(nonEmpty(env.NEXUS_JWT_AUDIENCE) ? { audience: env.NEXUS_JWT_AUDIENCE } : {}),
    ...(nonEmpty(env.NEXUS_JWT_ROLES_CLAIM) ? { rolesClaim: env.NEXUS_JWT_ROLES_CLAIM } : {}),
    ...(nonEmpty(env.NEXUS_JWT_MAX_TTL) ? { maxLifetimeSeconds: maxTtlOf(env.NEXUS_JWT_MAX_TTL) } : {}),
  };
  const jwksUrl = env.NEXUS_JWKS_URL;
  if (nonEmpty(jwksUrl)) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new AuthConfigError(`NEXUS_JWKS_URL must be an absolute URL; got "${jwksUrl}"`);
    }
    if (url.protocol !== 'https:' && url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') {
      throw new AuthConfigError('NEXUS_JWKS_URL must use https (plain http is accepted on localhost only)');
    }
    return { keys: { jwksUrl }, verifier };
  }
  const secret = env.NEXUS_JWT_SECRET;
  if (nonEmpty(secret)) {
    if (new TextEncoder().encode(secret).byteLength < MIN_SECRET_BYTES) {
      throw new AuthConfigError(`NEXUS_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`);
    }
    return { keys: { secret }, verifier };
  }
  const secretFile = join(dataDir, SECRET_FILE_NAME);
  const signatureHint = `the server's secret lives in ${secretFile}; a token minted for another data dir will not verify`;
  return { keys: { secret: readOrCreateSecretFile(secretFile) }, verifier: { ...verifier, signatureHint }, secretFile };
}

function maxTtlOf(text: string): number {
  try {
    return positiveLifetimeSeconds(text, 'NEXUS_JWT_MAX_TTL');
  } catch (error) {
    if (isInvalidTokenLifetimeError(error)) throw new AuthConfigError((error as Error).message, { cause: error });
    throw error;
  }
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
