import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteRateLimitStore } from '../../../adapters/embedded';
import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { AccessGuard, CommandOwnership, JwtTokenVerifier, mintDevelopmentToken } from '../../../core/auth';
import type { AggregateDefinition, CommandService } from '../../../core/command';
import type { ApiSecurity } from '../../../core/http';
import type { Logger } from '../../../core/logging/Logger';

/** The compiled runtime policies, as the embedded system loads them. */
export const RUNTIME_POLICY = resolve(__dirname, '..', '..', '..', 'policies', 'build', 'runtime.wasm');

/** An HS256 secret for tests only. */
export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

/** A bearer header for a subject with roles, signed with {@link TEST_SECRET}. */
export async function bearer(subject: string, ...roles: string[]): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintDevelopmentToken(TEST_SECRET, { subject, roles })}` };
}

/** Real policies (OPA wasm), a real SQLite rate-limit store and the JWT verifier, wired as the API needs them. */
export async function securityFor(
  commands: CommandService,
  aggregates: readonly AggregateDefinition[],
  logger: Logger,
  clock?: () => Date,
): Promise<{ security: ApiSecurity; close(): void }> {
  const authorizer = await OpaWasmAuthorizer.fromFile(RUNTIME_POLICY);
  const db = new Database(':memory:');
  const rateLimits = new SqliteRateLimitStore(db);
  return {
    security: {
      verifier: new JwtTokenVerifier({ secret: TEST_SECRET }),
      guard: new AccessGuard({ authorizer, rateLimits, logger, ...(clock ? { clock } : {}) }),
      ownership: new CommandOwnership(commands, aggregates),
    },
    close: () => db.close(),
  };
}
