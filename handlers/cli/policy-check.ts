/**
 * `npm run policy`: every governance check, failing with the rule, the file and the import,
 * resource or statement that broke it.
 *
 *   1. `opa test policies/` — every policy's own tests;
 *   2. the committed `policies/build/runtime.wasm` matches a fresh `opa build -t wasm` of
 *      `policies/runtime` (`--write-wasm` rewrites it after a policy change);
 *   3. the CI policies (`policies/ci`: decoupling, immutability, schema registration) on the
 *      repository's import graph, schemas and serverless.yml.
 *
 * `--root <dir>` judges another tree with the same policies and runs only step 3.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { collectPolicyInput } from '../../scripts/policy/collectPolicyInput';
import { REPOSITORY_ROOT, RUNTIME_WASM, buildRuntimeWasm, evaluateCiPolicies, findOpa, runRegoTests } from '../../scripts/policy/opaCommands';
import type { Violation } from '../../scripts/policy/opaCommands';

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { root: { type: 'string' }, 'write-wasm': { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
  });
  const policiesDir = join(REPOSITORY_ROOT, 'policies');
  const root = resolve(values.root ?? REPOSITORY_ROOT);
  const wholeRepository = values.root === undefined;
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

  const violations = evaluateCiPolicies(opa, policiesDir, collectPolicyInput(root));
  if (values.json) process.stdout.write(`${JSON.stringify(violations, null, 2)}\n`);
  for (const violation of violations) process.stderr.write(`✗ ${format(violation)}\n`);
  report(violations.length === 0, `CI policies (decoupling, immutability, schemas) on ${root}: ${violations.length} violation(s)`);
  failed ||= violations.length > 0;
  return failed ? 1 : 0;
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
  process.stderr.write(`policy check failed to run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
