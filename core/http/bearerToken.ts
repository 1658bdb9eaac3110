import { AuthenticationError } from '../auth/AuthErrors';

// RFC 6750 b64token, and the three base64url segments of a compact JWS.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The token of an `Authorization: Bearer <jwt>` header. Rejects with `UNAUTHENTICATED`, reason
 * `missing` when there is no header and `malformed` when it is not a bearer JWT.
 */
export function bearerTokenOf(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new AuthenticationError('missing', 'an Authorization: Bearer <token> header is required');
  }
  const token = BEARER.exec(header.trim())?.[1];
  if (token === undefined || !COMPACT_JWS.test(token)) {
    throw new AuthenticationError('malformed', 'the Authorization header must be "Bearer " followed by a JWT');
  }
  return token;
}
