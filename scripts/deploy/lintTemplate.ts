/**
 * `npm run template:lint [-- --packaged <dir>]`: cfn-lint (PyPI, pinned by
 * scripts/install-cfn-lint.sh) on the packaged CloudFormation template, packaging first when the
 * code changed since the last packaging; `--packaged` lints a packaging made elsewhere (a stage's
 * own, in a deploy pipeline). Exit codes: cfn-lint's own (0 clean), 2 when it could not run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePackaged, REPOSITORY_ROOT, TEMPLATE_FILE } from './packagedService';

function cfnLint(): string {
  return execFileSync(join(REPOSITORY_ROOT, 'scripts', 'install-cfn-lint.sh'), { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
}

try {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { packaged: { type: 'string' } }, strict: true });
  const { directory, packaged } = values.packaged === undefined ? ensurePackaged(REPOSITORY_ROOT) : { directory: resolve(values.packaged), packaged: false };
  const template = join(directory, TEMPLATE_FILE);
  process.stdout.write(`${packaged ? 'packaged' : 'reusing the packaging in'} ${directory}\n`);
  const result = spawnSync(cfnLint(), [template], { stdio: 'inherit' });
  if (result.status === 0) process.stdout.write(`✓ cfn-lint: ${template} is clean\n`);
  process.exitCode = result.status ?? 2;
} catch (error) {
  process.stderr.write(`template:lint could not run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
