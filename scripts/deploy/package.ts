/**
 * `npm run package -- [--stage <stage>]`: `serverless package` into .serverless/, skipped when the
 * code is unchanged since the last packaging (the policy gate and cfn-lint read the result).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PACKAGE_STAGE, ensurePackaged, REPOSITORY_ROOT } from './packagedService';

try {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { stage: { type: 'string' } }, strict: true });
  const { directory, packaged } = ensurePackaged(REPOSITORY_ROOT, { stage: values.stage ?? DEFAULT_PACKAGE_STAGE });
  process.stdout.write(`${packaged ? 'packaged into' : 'unchanged since the packaging in'} ${directory}\n`);
} catch (error) {
  process.stderr.write(`package: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
