/**
 * Who is calling, as established by a verified token: the subject (`sub`), its roles, and the
 * client it calls through (rate limits are per client).
 */
export interface Principal {
  /** The token's `sub`. */
  id: string;
  roles: string[];
  /** The token's `azp` or `client_id` when present, else the subject. */
  clientId: string;
}

/** Verifies a bearer token and says who it belongs to. */
export interface TokenVerifier {
  /**
   * Resolves the token's principal. Rejects with `UNAUTHENTICATED` (an `AuthenticationError`
   * whose `reason` is malformed, expired or invalid) for any token it does not accept.
   */
  verify(token: string): Promise<Principal>;
}
