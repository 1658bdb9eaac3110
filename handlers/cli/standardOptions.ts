/**
 * `--help` and `--version`, answered the same way by every Nexus command (`npm start`, the CLIs,
 * the load tools): usage or `nexus <version>` on stdout, exit code 0, and nothing else runs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The version in the repository's package.json. */
export const NEXUS_VERSION: string = (JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Answers `--help`/`-h` with `usage` and `--version`/`-V` with `nexus <version>` when `argv`
 * asks for either (before `--`), and says whether it did: the caller then exits 0.
 *
 * @example
 * if (answerStandardOptions(process.argv.slice(2), USAGE)) return 0;
 */
export function answerStandardOptions(argv: readonly string[], usage: string): boolean {
  const end = argv.indexOf('--');
  const own = end === -1 ? argv : argv.slice(0, end);
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    return true;
  }
  if (own.includes('--version') || own.includes('-V')) {
    process.stdout.write(`nexus ${NEXUS_VERSION}\n`);
    return true;
  }
  return false;
}
