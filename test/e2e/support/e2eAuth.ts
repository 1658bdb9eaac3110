import { createHmac } from 'node:crypto';

/** The HS256 secret the e2e servers are started with (see NexusProcess); for tests only. */
export const E2E_JWT_SECRET = 'e2e-only-secret-e2e-only-secret-0123456789';

let adminToken: string | undefined;

/**
 * A bearer token of an admin signed with {@link E2E_JWT_SECRET}, valid for a day. Built
 * synchronously with node:crypto (a standard compact JWS) so that request helpers need no await.
 */
export function e2eAdminToken(): string {
  if (adminToken === undefined) {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'e2e-admin', roles: ['admin'], iat: now, exp: now + 86_400 })}`;
    adminToken = `${signingInput}.${createHmac('sha256', E2E_JWT_SECRET).update(signingInput).digest('base64url')}`;
  }
  return adminToken;
}
