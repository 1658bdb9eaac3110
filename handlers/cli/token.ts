/**
 * `npm run token -- --role admin --sub alice [--ttl 1h] [--data-dir ./.nexus]`: prints a
 * development bearer token (HS256) that the embedded server accepts. The secret is
 * NEXUS_JWT_SECRET when set, else the one the server generated in the data directory (created
 * here when the server has not run yet). Production tokens come from an identity provider.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../../core/auth/mintToken';
import { SECRET_FILE_NAME, readOrCreateSecretFile } from '../../core/auth/secretFile';
import { LOCAL_SERVER_DEFAULTS } from '../local/config';

const ROLES = ['customer', 'support', 'auditor', 'admin'];
const USAGE = 'usage: npm run token -- --role <customer|support|auditor|admin>[,...] --sub <subject> [--ttl 1h] [--data-dir ./.nexus]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const roles = (values.role ?? []).flatMap((role) => role.split(',')).map((role) => role.trim()).filter((role) => role !== '');
  if (roles.length === 0 || values.sub === undefined || values.sub === '') throw new UsageError('--role and --sub are required');
  const unknown = roles.filter((role) => !ROLES.includes(role));
  if (unknown.length > 0) throw new UsageError(`unknown role ${unknown.join(', ')}; the policies know ${ROLES.join(', ')}`);
  const dataDir = values['data-dir'] ?? process.env.NEXUS_DATA_DIR ?? LOCAL_SERVER_DEFAULTS.dataDir;
  const secret = process.env.NEXUS_JWT_SECRET || readOrCreateSecretFile(join(dataDir, SECRET_FILE_NAME));
  const token = await mintDevelopmentToken(secret, { subject: values.sub, roles, ttl: /^\d+$/.test(values.ttl) ? Number(values.ttl) : values.ttl });
  process.stdout.write(`${token}\n`);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message}\n${error instanceof UsageError || error instanceof TypeError ? `${USAGE}\n` : ''}`);
  process.exit(2);
});
