import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The repository root (this file is scripts/policy/opaCommands.ts). */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

/** Entrypoints the runtime policies are compiled with; adapters/opa evaluates them. */
export const RUNTIME_ENTRYPOINTS = ['nexus/authz/decision', 'nexus/ratelimit/rule', 'nexus/ratelimit/decision'];

/** The committed WebAssembly build of `policies/runtime`, relative to the repository root. */
export const RUNTIME_WASM = 'policies/build/runtime.wasm';

/** A policy violation as the CI policies report it. */
export interface Violation {
  rule: string;
  file: string;
  line?: number;
  detail: string;
}

/**
 * The path of the pinned OPA, found or built by `scripts/install-opa.sh` (OPA_BIN, PATH, the
 * user cache, or `go install`). Throws with the script's message when it cannot provide one.
 */
export function findOpa(): string {
  const result = spawnSync('bash', [join(REPOSITORY_ROOT, 'scripts', 'install-opa.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = result.stdout?.trim().split('\n').pop();
  if (result.status !== 0 || !path) {
    throw new Error(`OPA is required and scripts/install-opa.sh could not provide it (exit ${result.status ?? 'signal'}); install Go or set OPA_BIN to an opa v1.22.3 binary`);
  }
  return path;
}

/** Runs `opa test` on the policies folder; `ok` is false when a test fails or does not load. */
export function runRegoTests(opa: string, policiesDir: string): { ok: boolean; output: string } {
  const result = spawnSync(opa, ['test', policiesDir], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Compiles `policies/runtime` to WebAssembly exactly as the committed build was made (from the
 * policies folder, so the module embeds the same relative file names) and returns the bytes.
 */
export function buildRuntimeWasm(opa: string, policiesDir: string): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'nexus-opa-build-'));
  try {
    const bundle = join(work, 'bundle.tar.gz');
    const entrypoints = RUNTIME_ENTRYPOINTS.flatMap((entrypoint) => ['-e', entrypoint]);
    execFileSync(opa, ['build', '-t', 'wasm', ...entrypoints, '--ignore', '*_test.rego', '-o', bundle, 'runtime'], { cwd: policiesDir, stdio: ['ignore', 'ignore', 'pipe'] });
    const wasm = tarEntry(gunzipSync(readFileSync(bundle)), '/policy.wasm');
    if (!wasm) throw new Error('opa build produced no /policy.wasm');
    return wasm;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Evaluates every `deny` of the packages under `data.nexus.ci` against `input`. */
export function evaluateCiPolicies(opa: string, policiesDir: string, input: unknown): Violation[] {
  const work = mkdtempSync(join(tmpdir(), 'nexus-opa-input-'));
  try {
    const inputFile = join(work, 'input.json');
    writeFileSync(inputFile, JSON.stringify(input));
    const query = '[v | some name; some v in data.nexus.ci[name].deny]';
    const output = execFileSync(opa, ['eval', '--format', 'json', '--ignore', '*_test.rego', '--data', join(policiesDir, 'ci'), '--input', inputFile, query], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const parsed = JSON.parse(output) as { result?: { expressions?: { value?: unknown }[] }[] };
    const value = parsed.result?.[0]?.expressions?.[0]?.value;
    return (Array.isArray(value) ? (value as Violation[]) : []).sort(
      (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One file of a ustar archive, or undefined. */
function tarEntry(archive: Buffer, name: string): Buffer | undefined {
  const wanted = name.replace(/^\/+/, '');
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    const entryName = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (entryName === '') return undefined;
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const fullName = (prefix ? `${prefix}/${entryName}` : entryName).replace(/^\/+/, '');
    if (fullName === wanted) return Buffer.from(archive.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
