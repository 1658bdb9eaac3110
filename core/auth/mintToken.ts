import { SignJWT } from 'jose';

/** What a development token says. */
export interface DevelopmentTokenClaims {
  subject: string;
  roles: string[];
  /** Lifetime as jose understands it: `'1h'`, `'15m'`, `'7d'`, or seconds. @defaultValue '1h' */
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
 *
 * @example
 * ```ts
 * const token = await mintDevelopmentToken(secret, { subject: 'alice', roles: ['customer'] });
 * ```
 */
export async function mintDevelopmentToken(secret: string, claims: DevelopmentTokenClaims, now: Date = new Date()): Promise<string> {
  const ttl = claims.ttl ?? DEVELOPMENT_TOKEN_DEFAULTS.ttl;
  const issuedAt = Math.floor(now.getTime() / 1000);
  let jwt = new SignJWT({ roles: claims.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(typeof ttl === 'number' ? issuedAt + ttl : ttlFrom(ttl, issuedAt));
  if (claims.issuer !== undefined) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `'90s'`, `'15m'`, `'1h'`, `'7d'` -> an absolute expiry, computed from `issuedAt` rather than the clock. */
function ttlFrom(ttl: string, issuedAt: number): number {
  const match = /^(\d+)\s*([smhd])$/.exec(ttl.trim());
  if (!match) throw new TypeError(`ttl "${ttl}" must be a number of seconds or like 90s, 15m, 1h, 7d`);
  return issuedAt + Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
}
