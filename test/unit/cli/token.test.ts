import { runCli } from './runCli';

jest.setTimeout(60_000);

const SECRET = 'cli-test-secret-cli-test-secret-0123456789';
const ENV = { NEXUS_JWT_SECRET: SECRET, NEXUS_JWT_MAX_TTL: undefined };

function claimsOf(token: string): Record<string, number> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, number>;
}

describe('npm run token', () => {
  it.each([
    [['--ttl', '0'], '--ttl must be a positive lifetime (seconds, or like 90s, 15m, 1h, 7d); got "0"'],
    [['--ttl=-5'], '--ttl must be a positive lifetime (seconds, or like 90s, 15m, 1h, 7d); got "-5"'],
    [['--ttl', '-5'], '--ttl must be a positive lifetime'],
    [['--ttl', '0m'], 'got "0m"'],
    [['--ttl', 'soon'], 'got "soon"'],
  ])('refuses %j with a message naming --ttl and exit code 2', (ttl, message) => {
    // given a lifetime that is not positive or not a lifetime
    // when minting
    const run = runCli('handlers/cli/token.ts', ['--role', 'admin', '--sub', 'alice', ...ttl], ENV);
    // then nothing is printed on stdout and the message says what is wrong
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  it('refuses a lifetime beyond the server maximum of 24 hours by default', () => {
    // given no NEXUS_JWT_MAX_TTL
    // when asking for 25 hours
    const run = runCli('handlers/cli/token.ts', ['--role', 'admin', '--sub', 'alice', '--ttl', '25h'], ENV);
    // then
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--ttl 25h is longer than the server accepts (NEXUS_JWT_MAX_TTL 24h = 86400 s)');
  });

  it('refuses a lifetime beyond NEXUS_JWT_MAX_TTL', () => {
    // given a maximum of one hour
    // when asking for two
    const run = runCli('handlers/cli/token.ts', ['--role', 'admin', '--sub', 'alice', '--ttl', '2h'], { ...ENV, NEXUS_JWT_MAX_TTL: '1h' });
    // then
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--ttl 2h is longer than the server accepts (NEXUS_JWT_MAX_TTL 1h = 3600 s)');
  });

  it('mints a token whose exp is its issue time plus the lifetime asked for', () => {
    // given a 15-minute lifetime
    // when minting
    const run = runCli('handlers/cli/token.ts', ['--role', 'customer', '--sub', 'bob', '--ttl', '15m'], ENV);
    // then the token, alone on stdout, expires 900 s after it was issued
    expect(run.status).toBe(0);
    const claims = claimsOf(run.stdout.trim());
    expect(claims.exp).toBe((claims.iat ?? 0) + 900);
  });

  it('mints a one-hour token when no --ttl is given, always with exp', () => {
    // given no lifetime
    // when minting
    const run = runCli('handlers/cli/token.ts', ['--role', 'admin', '--sub', 'alice'], ENV);
    // then
    expect(run.status).toBe(0);
    const claims = claimsOf(run.stdout.trim());
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);
  });
});
