import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY, runCli } from './runCli';

jest.setTimeout(120_000);

const VERSION = (JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as { version: string }).version;

/** Every command a user runs: its npm script and its entry point. */
const COMMANDS: ReadonlyArray<[string, string, RegExp]> = [
  ['npm start', 'handlers/local/server.ts', /--data-dir/],
  ['npm run token', 'handlers/cli/token.ts', /--ttl/],
  ['npm run policy', 'handlers/cli/policy-check.ts', /--root/],
  ['npm run schemas:check', 'handlers/cli/schemas-check.ts', /--base/],
  ['npx nexus', 'bin/nexus.js', /dlq/],
  ['npm run load', 'load-tests/load.ts', /--scenario/],
  ['npm run bench', 'load-tests/bench/bench.ts', /--only/],
  ['npm run soak', 'load-tests/soak.ts', /--sample/],
];

describe('--help and --version on every command', () => {
  it.each(COMMANDS)('%s --help prints its usage and exits 0', (_name, entry, usage) => {
    // given the command
    // when asking for help
    const run = runCli(entry, ['--help']);
    // then it prints its options and does nothing else
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(usage);
    expect(run.status).toBe(0);
  });

  it.each(COMMANDS)('%s --version prints the version and exits 0', (_name, entry) => {
    // given the command
    // when asking for its version
    const run = runCli(entry, ['--version']);
    // then
    expect(run.stdout).toBe(`nexus ${VERSION}\n`);
    expect(run.status).toBe(0);
  });
});
