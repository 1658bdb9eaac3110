/** The name of the bearer JWT scheme in `components.securitySchemes`. */
export const BEARER_SCHEME = 'bearerJwt';

/** The `security` of an operation that needs `Authorization: Bearer <jwt>`. */
export const AUTHENTICATED: Record<string, string[]>[] = [{ [BEARER_SCHEME]: [] }];

/** The `security` of an operation answered without a token. */
export const PUBLIC: Record<string, string[]>[] = [];

/** The security scheme every authenticated operation names. */
export const BEARER_SECURITY_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: 'A JWT of the identity provider, verified against its JWKS; its roles decide what the policy grants.',
} as const;
