/**
 * `npm run -s token -- --role admin --sub alice [--ttl 1h] [--data-dir ./.nexus]`: prints a
 * development bearer token (HS256) that the embedded server accepts. The secret is
 * NEXUS_JWT_SECRET when set, else the one the server generated in the data directory (created
 * here when the server has not run yet). Every token has an `exp`: the lifetime is positive and
 * at most the server's NEXUS_JWT_MAX_TTL (default 24h), so the server never refuses a token
 * this prints for being too long-lived. Production tokens come from an identity provider.
 * Exit codes: 0 printed, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../../core/auth/mintToken';
import { SECRET_FILE_NAME, readOrCreateSecretFile } from '../../core/auth/secretFile';
import { LOCAL_SERVER_DEFAULTS } from '../local/config';
import { JWT_VERIFIER_DEFAULTS } from '../../core/auth/JwtTokenVerifier';
import { isInvalidTokenLifetimeError, parseLifetimeSeconds, positiveLifetimeSeconds } from '../../core/auth/tokenLifetime';
import { answerStandardOptions } from './standardOptions';

const ROLES = ['customer', 'support', 'auditor', 'admin'];
const USAGE = `usage: npm run -s token -- --role <customer|support|auditor|admin>[,...] --sub <subject> [--ttl 1h] [--data-dir ./.nexus]

Prints a development bearer token (HS256) for the embedded server; use -s so that
TOKEN=$(npm run -s token -- ...) captures the token alone.

Options:
  --role <roles>     one or more roles, comma-separated or repeated (required)
  --sub <subject>    the token's subject, the caller's id (required)
  --ttl <lifetime>   seconds, or 90s, 15m, 1h, 7d; positive and at most NEXUS_JWT_MAX_TTL (default 1h)
  --data-dir <dir>   where the server keeps jwt-secret, when NEXUS_JWT_SECRET is not set (default ${LOCAL_SERVER_DEFAULTS.dataDir}; NEXUS_DATA_DIR)
  -h, --help         show this help
  -V, --version      show the version`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (answerStandardOptions(argv, USAGE)) return;
  const values = parseOptions(argv);
  const roles = (values.role ?? []).flatMap((role) => role.split(',')).map((role) => role.trim()).filter((role) => role !== '');
  if (roles.length === 0 || values.sub === undefined || values.sub === '') throw new UsageError('--role and --sub are required');
  const unknown = roles.filter((role) => !ROLES.includes(role));
  if (unknown.length > 0) throw new UsageError(`unknown role ${unknown.join(', ')}; the policies know ${ROLES.join(', ')}`);
  const ttl = lifetime(values.ttl ?? '1h', process.env.NEXUS_JWT_MAX_TTL);
  const dataDir = values['data-dir'] ?? process.env.NEXUS_DATA_DIR ?? LOCAL_SERVER_DEFAULTS.dataDir;
  const secret = process.env.NEXUS_JWT_SECRET || readOrCreateSecretFile(join(dataDir, SECRET_FILE_NAME));
  const token = await mintDevelopmentToken(secret, { subject: values.sub, roles, ttl });
  process.stdout.write(`${token}\n`);
}

function parseOptions(argv: string[]): { role?: string[]; sub?: string; ttl?: string; 'data-dir'?: string } {
  try {
    return parseArgs({
      args: argv,
      options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, ttl: { type: 'string' }, 'data-dir': { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    // `--ttl -5` reads as a missing value to parseArgs: say what was meant.
    const message = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
    throw new UsageError(/'--ttl'/.test(message) ? '--ttl must be a positive lifetime (seconds, or like 90s, 15m, 1h, 7d)' : message);
  }
}

/** --ttl in seconds, refused unless positive and within the server's maximum. */
function lifetime(ttl: string, maxTtlVariable: string | undefined): number {
  const seconds = parseLifetimeSeconds(ttl);
  if (seconds === undefined || seconds <= 0) throw new UsageError(`--ttl must be a positive lifetime (seconds, or like 90s, 15m, 1h, 7d); got "${ttl}"`);
  // The same reading of NEXUS_JWT_MAX_TTL as the server's (core/auth/authConfig.ts).
  let max = JWT_VERIFIER_DEFAULTS.maxLifetimeSeconds;
  if (maxTtlVariable !== undefined && maxTtlVariable !== '') {
    try {
      max = positiveLifetimeSeconds(maxTtlVariable, 'NEXUS_JWT_MAX_TTL');
    } catch (error) {
      if (isInvalidTokenLifetimeError(error)) throw new UsageError((error as Error).message);
      throw error;
    }
  }
  if (seconds > max) {
    throw new UsageError(`--ttl ${ttl} is longer than the server accepts (NEXUS_JWT_MAX_TTL ${maxTtlVariable || '24h'} = ${max} s); ask for a shorter one or raise NEXUS_JWT_MAX_TTL on both sides`);
  }
  return seconds;
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError || error instanceof TypeError;
  process.stderr.write(`token: ${message}\n${usage ? 'run npm run -s token -- --help for usage\n' : ''}`);
  process.exit(2);
});
