import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthenticationError } from './AuthErrors';
import type { AuthenticationFailure } from './AuthErrors';
import type { Principal, TokenVerifier } from './Principal';
import { findIllFormedText } from '../text/wellFormedText';

/** Where signing keys come from: a shared HS256 secret, or a JWKS URL (RS256/ES256/...). */
export type JwtKeySource = { secret: string } | { jwksUrl: string };

/** Tunables of {@link JwtTokenVerifier}. */
export interface JwtVerifierOptions {
  /** Required `iss`, when set. @defaultValue undefined (not checked) */
  issuer?: string;
  /** Required `aud`, when set. @defaultValue undefined (not checked) */
  audience?: string;
  /**
   * The claim that lists the caller's roles (an array of strings, or one string), e.g.
   * `cognito:groups` for Amazon Cognito user pools. @defaultValue undefined: `roles`, else `role`
   */
  rolesClaim?: string;
  /** Clock skew accepted on `exp`, `nbf` and `iat`. @defaultValue 5 */
  clockToleranceSeconds?: number;
  /**
   * Longest lifetime a token may claim: `exp - iat`, or `exp - now` when it has no `iat`. Bounds
   * the damage of a leaked token, which cannot be revoked. @defaultValue 86400 (24 h)
   */
  maxLifetimeSeconds?: number;
  /**
   * Said in the 401 of a token whose signature does not verify, e.g. where the server's secret
   * lives, so that a token minted for another data dir is recognised as such. @defaultValue undefined
   */
  signatureHint?: string;
  /** Accepted tokens remembered (by token string) so a repeated token skips the signature check; 0 turns it off. @defaultValue 10000 */
  cacheSize?: number;
  /** Longest a remembered token skips the check, bounding the effect of a JWKS key rotation. @defaultValue 60000 */
  cacheMaxAgeMs?: number;
}

/** Defaults of {@link JwtVerifierOptions}. */
export const JWT_VERIFIER_DEFAULTS = {
  /** @defaultValue 5 */
  clockToleranceSeconds: 5,
  /** @defaultValue 86400 */
  maxLifetimeSeconds: 86_400,
  /** @defaultValue 10000 */
  cacheSize: 10_000,
  /** @defaultValue 60000 */
  cacheMaxAgeMs: 60_000,
};

interface Accepted {
  principal: Principal;
  /** Past this instant (exp plus the tolerance) the token is checked again, and refused as expired. */
  validUntilMs: number;
}

/** Shortest HS256 secret accepted: 256 bits, as RFC 7518 requires for HS256 keys. */
export const MIN_SECRET_BYTES = 32;

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Verifies bearer JWTs with `jose`: HS256 with a shared secret (the embedded system), or keys
 * from a JWKS URL (production; keys are fetched and cached by `createRemoteJWKSet`). Roles come
 * from the `roles` claim (array of strings) or `role` (one string), or the claim `rolesClaim` names.
 *
 * Refused: a token without `sub` or without `exp`; one whose lifetime (`exp - iat`, or
 * `exp - now` without `iat`) exceeds `maxLifetimeSeconds`; one whose `iat` or `nbf` lies in the
 * future beyond `clockToleranceSeconds`; one whose claims hold a lone UTF-16 surrogate (policies
 * and logs must never see such text). Failures reject with an `AuthenticationError` whose reason
 * is `expired`, `malformed` or `invalid` (bad signature, wrong issuer, lifetime, ...); a bad
 * signature's message ends with `signatureHint` when one is configured.
 *
 * @example
 * ```ts
 * const verifier = new JwtTokenVerifier({ secret: process.env.NEXUS_JWT_SECRET });
 * const principal = await verifier.verify(token); // { id: 'alice', roles: ['customer'], clientId: 'alice' }
 * ```
 */
export class JwtTokenVerifier implements TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly options: JwtVerifierOptions & typeof JWT_VERIFIER_DEFAULTS;
  private readonly accepted: LRUCache<string, Accepted> | undefined;

  constructor(source: JwtKeySource, options: JwtVerifierOptions = {}) {
    this.options = { ...JWT_VERIFIER_DEFAULTS, ...options };
    // Verifying an HS256 signature, and decoding the claims, costs more per request than the
    // command itself; an accepted token stays accepted until it expires.
    this.accepted = this.options.cacheSize > 0 ? new LRUCache({ max: this.options.cacheSize, ttl: this.options.cacheMaxAgeMs }) : undefined;
    if ('secret' in source) {
      const secret = new TextEncoder().encode(source.secret);
      if (secret.byteLength < MIN_SECRET_BYTES) throw new TypeError(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes long`);
      this.key = secret;
      this.algorithms = ['HS256'];
    } else {
      this.key = createRemoteJWKSet(new URL(source.jwksUrl));
      this.algorithms = ASYMMETRIC;
    }
  }

  async verify(token: string): Promise<Principal> {
    const remembered = this.accepted?.get(token);
    if (remembered !== undefined) {
      if (Date.now() < remembered.validUntilMs) return copyOf(remembered.principal);
      this.accepted?.delete(token);
    }
    const accepted = await this.check(token);
    this.accepted?.set(token, accepted);
    return copyOf(accepted.principal);
  }

  private async check(token: string): Promise<Accepted> {
    let payload: JWTPayload;
    try {
      const verifyOptions = {
        algorithms: this.algorithms,
        requiredClaims: ['exp'],
        clockTolerance: this.options.clockToleranceSeconds,
        ...(this.options.issuer === undefined ? {} : { issuer: this.options.issuer }),
        ...(this.options.audience === undefined ? {} : { audience: this.options.audience }),
      };
      // jose's overloads differ only in the key's type; both paths verify the same way.
      ({ payload } =
        this.key instanceof Uint8Array ? await jwtVerify(token, this.key, verifyOptions) : await jwtVerify(token, this.key, verifyOptions));
    } catch (cause) {
      const hint = cause instanceof joseErrors.JWSSignatureVerificationFailed && this.options.signatureHint !== undefined ? `; ${this.options.signatureHint}` : '';
      throw new AuthenticationError(failureOf(cause), `the bearer token was refused: ${messageOf(cause)}${hint}`, cause);
    }
    const illFormed = findIllFormedText(payload);
    if (illFormed !== undefined) {
      throw new AuthenticationError('malformed', `the bearer token's claim ${illFormed} holds a lone UTF-16 surrogate; claims must be well-formed Unicode`);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new AuthenticationError('invalid', 'the bearer token has no subject (sub)');
    }
    this.checkTimes(payload);
    const clientId = stringClaim(payload, 'azp') ?? stringClaim(payload, 'client_id') ?? payload.sub;
    // exp is required: jose refused a token without one.
    const validUntilMs = ((payload.exp as number) + this.options.clockToleranceSeconds) * 1000;
    return { principal: { id: payload.sub, roles: rolesOf(payload, this.options.rolesClaim), clientId }, validUntilMs };
  }

  /** What jose leaves to us: `iat` in the future, and the lifetime the token claims. */
  private checkTimes(payload: JWTPayload): void {
    const { clockToleranceSeconds: tolerance, maxLifetimeSeconds: maxLifetime } = this.options;
    const now = Date.now() / 1000;
    const exp = payload.exp as number; // required and checked to be a number by jose
    if (typeof payload.iat === 'number' && payload.iat > now + tolerance) {
      throw new AuthenticationError('invalid', `the bearer token was refused: it was issued in the future (iat ${payload.iat}, now ${Math.floor(now)})`);
    }
    const lifetime = typeof payload.iat === 'number' ? exp - payload.iat : exp - now - tolerance;
    if (lifetime > maxLifetime) {
      throw new AuthenticationError(
        'invalid',
        `the bearer token was refused: its lifetime of ${Math.round(lifetime)} s exceeds the ${maxLifetime} s allowed; mint a shorter-lived token`,
      );
    }
  }
}

function copyOf(principal: Principal): Principal {
  return { ...principal, roles: [...principal.roles] };
}

function rolesOf(payload: JWTPayload, rolesClaim: string | undefined): string[] {
  if (rolesClaim !== undefined) {
    const named = payload[rolesClaim];
    if (Array.isArray(named)) return named.filter((role): role is string => typeof role === 'string');
    return typeof named === 'string' && named !== '' ? [named] : [];
  }
  const roles = payload.roles;
  if (Array.isArray(roles)) return roles.filter((role): role is string => typeof role === 'string');
  const role = stringClaim(payload, 'role');
  return role === undefined ? [] : [role];
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function failureOf(error: unknown): AuthenticationFailure {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JOSEAlgNotAllowed) {
    return 'malformed';
  }
  return 'invalid';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
