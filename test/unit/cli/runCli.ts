import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository, where every command runs. */
export const REPOSITORY = resolve(__dirname, '..', '..', '..');
const TSX_CLI = require.resolve('tsx/cli');

/** What a command printed and how it ended. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point (as its npm script does, through tsx) or a .js file with `args`. */
export function runCli(entry: string, args: readonly string[], env: Record<string, string | undefined> = {}): CliRun {
  const command = entry.endsWith('.js') ? [entry, ...args] : [TSX_CLI, entry, ...args];
  const result = spawnSync(process.execPath, command, { cwd: REPOSITORY, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
