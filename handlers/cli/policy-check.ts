/**
 * `npm run policy`: every governance check, failing with the rule, the file and the import,
 * resource or statement that broke it.
 *
 *   1. `opa test policies/` — every policy's own tests;
 *   2. the committed `policies/build/runtime.wasm` matches a fresh `opa build -t wasm` of
 *      `policies/runtime` (`--write-wasm` rewrites it after a policy change);
 *   3. the CI policies (`policies/ci`: decoupling, immutability, schema registration) on the
 *      repository's import graph, schemas, serverless.yml and the packaged CloudFormation template
 *      (`serverless package` into .serverless/ first when the code changed since the last one:
 *      the roles and tables are generated from code, so serverless.yml alone shows none).
 *
 * `--root <dir>` judges another tree with the same policies and runs only step 3; a root that
 * is not a directory is a usage error, never "0 violations".
 * Exit codes: 0 every check passed, 1 a check failed, 2 usage error or a check could not run.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePackaged } from '../../scripts/deploy/packagedService';
import { collectPolicyInput } from '../../scripts/policy/collectPolicyInput';
import { REPOSITORY_ROOT, RUNTIME_WASM, buildRuntimeWasm, evaluateCiPolicies, findOpa, runRegoTests } from '../../scripts/policy/opaCommands';
import type { Violation } from '../../scripts/policy/opaCommands';
import { answerStandardOptions } from './standardOptions';

const USAGE = `usage: npm run policy -- [--root <dir>] [--packaged <dir>] [--write-wasm] [--json]

Runs every governance check: the policies' own Rego tests, the committed runtime WebAssembly
against its source, and the CI policies (decoupling, immutability, schema registration) on the
code, the schemas and the packaged CloudFormation template (packaged first when the code changed).

Options:
  --root <dir>    judge another source tree with the CI policies only (default: this repository)
  --packaged <dir>  judge the template \`serverless package --package <dir>\` wrote (e.g. a stage's
                  own packaging in a deploy pipeline) instead of packaging into .serverless/
  --write-wasm    rebuild policies/build/runtime.wasm from policies/runtime
  --json          print the violations as JSON on stdout
  -h, --help      show this help
  -V, --version   show the version

OPA: OPA_BIN, or opa on PATH at the pinned version (scripts/install-opa.sh).
Exit codes: 0 passed, 1 a check failed, 2 usage error or a check could not run.`;

class UsageError extends Error {}

function main(): number {
  const argv = process.argv.slice(2);
  if (answerStandardOptions(argv, USAGE)) return 0;
  const { values } = parseArgs({
    args: argv,
    options: { root: { type: 'string' }, packaged: { type: 'string' }, 'write-wasm': { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
  });
  const policiesDir = join(REPOSITORY_ROOT, 'policies');
  const root = resolve(values.root ?? REPOSITORY_ROOT);
  const wholeRepository = values.root === undefined;
  if (!wholeRepository) requireDirectory(root, values.root ?? '', '--root');
  const opa = findOpa();
  let failed = false;

  if (wholeRepository) {
    const tests = runRegoTests(opa, policiesDir);
    report(tests.ok, `opa test policies/: ${lastLine(tests.output)}`);
    if (!tests.ok) process.stderr.write(`${tests.output}\n`);
    failed ||= !tests.ok;

    const built = buildRuntimeWasm(opa, policiesDir);
    const committedPath = join(REPOSITORY_ROOT, RUNTIME_WASM);
    if (values['write-wasm']) {
      writeFileSync(committedPath, built, { mode: 0o644 });
      report(true, `${RUNTIME_WASM} rebuilt from policies/runtime`);
    } else {
      const same = readOrEmpty(committedPath).equals(built);
      report(same, same ? `${RUNTIME_WASM} matches policies/runtime` : `policy-wasm/matches-source: ${RUNTIME_WASM} does not match policies/runtime; run npm run policy -- --write-wasm`);
      failed ||= !same;
    }
  }

  let packageDirectory: string | undefined;
  if (values.packaged !== undefined) {
    packageDirectory = resolve(values.packaged);
    requireDirectory(packageDirectory, values.packaged, '--packaged');
    report(true, `judging the packaging in ${packageDirectory} (the generated roles and tables)`);
  } else if (wholeRepository) {
    const { directory, packaged } = ensurePackaged(REPOSITORY_ROOT);
    packageDirectory = directory;
    report(true, `${packaged ? 'packaged' : 'judging the packaging in'} ${directory} (the generated roles and tables)`);
  }
  const violations = evaluateCiPolicies(opa, policiesDir, collectPolicyInput(root, packageDirectory));
  if (values.json) process.stdout.write(`${JSON.stringify(violations, null, 2)}\n`);
  for (const violation of violations) process.stderr.write(`✗ ${format(violation)}\n`);
  report(violations.length === 0, `CI policies (decoupling, immutability, schemas) on ${root}: ${violations.length} violation(s)`);
  failed ||= violations.length > 0;
  return failed ? 1 : 0;
}

/** A root that does not exist would scan nothing and report "0 violations": refuse it. */
function requireDirectory(root: string, given: string, flag: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`${flag} ${given}: no such directory (${root})`);
  }
  if (!isDirectory) throw new UsageError(`${flag} ${given}: not a directory (${root})`);
}

function format(violation: Violation): string {
  const where = violation.line ? `${violation.file}:${violation.line}` : violation.file;
  return `[${violation.rule}] ${where}: ${violation.detail}`;
}

function report(ok: boolean, message: string): void {
  (ok ? process.stdout : process.stderr).write(`${ok ? '✓' : '✗'} ${message}\n`);
}

function lastLine(text: string): string {
  return text.split('\n').filter((line) => line.trim() !== '').pop() ?? '';
}

function readOrEmpty(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

try {
  process.exitCode = main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError || (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.stderr.write(usage ? `policy: ${message}\nrun npm run policy -- --help for usage\n` : `policy check failed to run: ${message}\n`);
  process.exitCode = 2;
}
