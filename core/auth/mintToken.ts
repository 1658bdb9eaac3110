import { SignJWT } from 'jose';
import { positiveLifetimeSeconds } from './tokenLifetime';

/** What a development token says. */
export interface DevelopmentTokenClaims {
  subject: string;
  roles: string[];
  /** Lifetime: whole seconds, or `'90s'`, `'15m'`, `'1h'`, `'7d'`; must be positive. @defaultValue '1h' */
  ttl?: string | number;
  issuer?: string;
  audience?: string;
}

/** Defaults of {@link DevelopmentTokenClaims}. */
export const DEVELOPMENT_TOKEN_DEFAULTS = {
  /** @defaultValue '1h' */
  ttl: '1h' as string | number,
};

/**
 * Mints an HS256 JWT that {@link JwtTokenVerifier} accepts with the same secret: for
 * development, tests and the `npm run token` CLI, never for production (which uses a JWKS).
 * Every token gets `iat` and `exp`. Throws `INVALID_TOKEN_LIFETIME`
 * ({@link InvalidTokenLifetimeError}) for a ttl that is not a positive whole number of seconds
 * (`0`, `-5`, `'0h'`, `'soon'`), so no token is born expired.
 *
 * @example
 * ```ts
 * const token = await mintDevelopmentToken(secret, { subject: 'alice', roles: ['customer'] });
 * ```
 */
export async function mintDevelopmentToken(secret: string, claims: DevelopmentTokenClaims, now: Date = new Date()): Promise<string> {
  const ttlSeconds = positiveLifetimeSeconds(claims.ttl ?? DEVELOPMENT_TOKEN_DEFAULTS.ttl, 'the token ttl');
  const issuedAt = Math.floor(now.getTime() / 1000);
  let jwt = new SignJWT({ roles: claims.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt(issuedAt)
    // From issuedAt rather than the clock, so that `now` alone decides the token's times.
    .setExpirationTime(issuedAt + ttlSeconds);
  if (claims.issuer !== undefined) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
