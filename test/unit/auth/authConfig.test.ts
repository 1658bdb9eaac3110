import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { JWT_VERIFIER_DEFAULTS, readAuthConfig, readOrCreateSecretFile } from '../../../core/auth';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-auth-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('readAuthConfig', () => {
  it('generates a secret in the data directory, readable by its owner only, and reuses it', () => {
    // given no configured secret
    // when
    const first = readAuthConfig({}, dataDir);
    const second = readAuthConfig({}, dataDir);
    // then
    expect(first.secretFile).toBe(join(dataDir, 'jwt-secret'));
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(second.keys).toEqual(first.keys);
    expect('secret' in first.keys && first.keys.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('uses NEXUS_JWT_SECRET when set, with issuer and audience checks', () => {
    // given
    const env = { NEXUS_JWT_SECRET: 'configured-secret-configured-secret-01', NEXUS_JWT_ISSUER: 'nexus', NEXUS_JWT_AUDIENCE: 'api' };
    // when
    const config = readAuthConfig(env, dataDir);
    // then
    expect(config).toEqual({ keys: { secret: env.NEXUS_JWT_SECRET }, verifier: { issuer: 'nexus', audience: 'api' } });
  });

  it('names the roles claim from NEXUS_JWT_ROLES_CLAIM', () => {
    // given
    const env = { NEXUS_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json', NEXUS_JWT_ROLES_CLAIM: 'cognito:groups' };
    // when
    const config = readAuthConfig(env, dataDir);
    // then
    expect(config.verifier).toEqual({ rolesClaim: 'cognito:groups' });
  });

  it('prefers NEXUS_JWKS_URL over a secret', () => {
    // given
    const env = { NEXUS_JWKS_URL: 'https://idp.example/.well-known/jwks.json', NEXUS_JWT_SECRET: 'configured-secret-configured-secret-01' };
    // when
    const config = readAuthConfig(env, dataDir);
    // then
    expect(config.keys).toEqual({ jwksUrl: env.NEXUS_JWKS_URL });
  });

  it.each([
    ['a short secret', { NEXUS_JWT_SECRET: 'short' }, /NEXUS_JWT_SECRET/],
    ['a JWKS URL that is not a URL', { NEXUS_JWKS_URL: 'idp' }, /NEXUS_JWKS_URL/],
    ['a plain-http JWKS URL off localhost', { NEXUS_JWKS_URL: 'http://idp.example/jwks' }, /https/],
    ['a maximum token lifetime of zero', { NEXUS_JWT_MAX_TTL: '0' }, /NEXUS_JWT_MAX_TTL/],
    ['a negative maximum token lifetime', { NEXUS_JWT_MAX_TTL: '-1h' }, /NEXUS_JWT_MAX_TTL/],
    ['a maximum token lifetime that is not a duration', { NEXUS_JWT_MAX_TTL: 'a day' }, /NEXUS_JWT_MAX_TTL/],
  ])('refuses %s, naming the variable', (_case, env, message) => {
    // given
    // when
    const read = (): unknown => readAuthConfig(env, dataDir);
    // then
    expect(read).toThrow(message);
  });
});

describe('readAuthConfig token rules', () => {
  it.each([
    ['seconds', '3600', 3600],
    ['hours', '12h', 43_200],
    ['days', '2d', 172_800],
  ])('reads NEXUS_JWT_MAX_TTL in %s as the verifier maximum lifetime', (_unit, text, seconds) => {
    // given
    const env = { NEXUS_JWT_SECRET: 'configured-secret-configured-secret-01', NEXUS_JWT_MAX_TTL: text };
    // when
    const config = readAuthConfig(env, dataDir);
    // then
    expect(config.verifier.maxLifetimeSeconds).toBe(seconds);
  });

  it('leaves the maximum lifetime to the verifier default (24 h) when NEXUS_JWT_MAX_TTL is unset', () => {
    // given
    const env = { NEXUS_JWT_SECRET: 'configured-secret-configured-secret-01' };
    // when
    const config = readAuthConfig(env, dataDir);
    // then
    expect(config.verifier.maxLifetimeSeconds).toBeUndefined();
    expect(JWT_VERIFIER_DEFAULTS.maxLifetimeSeconds).toBe(86_400);
  });

  it('hints where the generated secret lives for tokens that do not verify', () => {
    // given no configured secret
    // when
    const config = readAuthConfig({}, dataDir);
    // then
    expect(config.verifier.signatureHint).toBe(`the server's secret lives in ${join(dataDir, 'jwt-secret')}; a token minted for another data dir will not verify`);
  });
});

describe('readOrCreateSecretFile', () => {
  it('keeps the secret a first caller wrote', () => {
    // given
    const path = join(dataDir, 'nested', 'jwt-secret');
    const written = readOrCreateSecretFile(path);
    // when
    const read = readOrCreateSecretFile(path);
    // then
    expect(read).toBe(written);
  });

  it('gives processes that start at once the same secret, never a half-written one', async () => {
    // given six processes that all ask for the secret at the same instant
    const root = resolve(__dirname, '..', '..', '..');
    const at = Date.now() + 1_500;
    const script = `const { readOrCreateSecretFile } = require(${JSON.stringify(join(root, 'core', 'auth', 'secretFile.ts'))});
      while (Date.now() < ${at}) {}
      process.stdout.write(readOrCreateSecretFile(${JSON.stringify(join(dataDir, 'jwt-secret'))}));`;
    // when
    const run = promisify(execFile);
    const secrets = await Promise.all(Array.from({ length: 6 }, async () => (await run(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root })).stdout));
    // then all agree with the file, and no temporary file is left
    const stored = readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim();
    expect(stored).toHaveLength(64);
    expect(new Set(secrets)).toEqual(new Set([stored]));
    expect(readdirSync(dataDir)).toEqual(['jwt-secret']);
  });
});
