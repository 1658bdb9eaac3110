/**
 * `serverless package` of a service tree, redone only when its inputs changed: a hash of every
 * file the bundles and the template are made from is kept beside the output, so the policy gate,
 * cfn-lint and the tests judge a template that matches the code without packaging it each time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository root. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** The packaged template's file name in a package directory. */
export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/** What goes into the package: the code the bundles and the template are made from. */
const INPUTS = ['serverless.yml', 'package-lock.json', 'deploy', 'handlers', 'core', 'adapters', 'operators', 'domain', 'pipelines', 'schemas', 'policies/build'];

/** The stage packaged when none is given: names resources nexus-ci-*. */
export const DEFAULT_PACKAGE_STAGE = 'ci';

const HASH_FILE = '.nexus-inputs';

/** Options of {@link ensurePackaged}. */
export interface PackageOptions {
  /** @defaultValue {@link DEFAULT_PACKAGE_STAGE} */
  stage?: string;
  /** Where the zips and templates go. @defaultValue `<root>/.serverless` */
  directory?: string;
}

/** Packages `root` into `directory` unless it already holds a packaging of the same inputs; returns the directory. */
export function ensurePackaged(root: string, options: PackageOptions = {}): { directory: string; packaged: boolean } {
  const stage = options.stage ?? DEFAULT_PACKAGE_STAGE;
  const directory = options.directory ?? join(root, '.serverless');
  const hash = inputsHash(root, stage);
  if (holdsPackaging(directory, hash)) return { directory, packaged: false };
  // Test workers and the policy gate may ask at once: one packages, the others wait and reuse it,
  // and a directory someone may be reading is never replaced by an equal packaging.
  return withLock(`${directory}.lock`, () => {
    if (holdsPackaging(directory, hash)) return { directory, packaged: false };
    packageInto(root, stage, directory, hash);
    return { directory, packaged: true };
  });
}

function holdsPackaging(directory: string, hash: string): boolean {
  return existsSync(join(directory, TEMPLATE_FILE)) && readOrEmpty(join(directory, HASH_FILE)) === hash;
}

function packageInto(root: string, stage: string, directory: string, hash: string): void {
  const scratch = `${directory}.${process.pid}.tmp`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    execFileSync(join(REPOSITORY_ROOT, 'node_modules', '.bin', 'serverless'), ['package', '--stage', stage, '--package', scratch], {
      cwd: root,
      // Offline and without credentials: packaging never calls AWS.
      env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', SLS_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 32 * 1024 * 1024,
      timeout: 600_000,
    });
  } catch (error) {
    const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? '';
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`serverless package failed in ${root}:\n${output}${(error as { stderr?: Buffer }).stderr?.toString() ?? ''}`);
  }
  writeFileSync(join(scratch, HASH_FILE), hash);
  rmSync(directory, { recursive: true, force: true });
  renameSync(scratch, directory);
}

const LOCK_STALE_MS = 15 * 60_000;

/** Runs `action` holding a lock directory (mkdir is atomic); a lock older than a packaging can take is taken over. */
function withLock<T>(lock: string, action: () => T): T {
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - lockAge(lock) > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** A hash of the stage and every input file's path and content. */
export function inputsHash(root: string, stage: string): string {
  const hash = createHash('sha256').update(stage);
  for (const input of INPUTS) {
    for (const file of filesUnder(join(root, input))) hash.update(relative(root, file)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name === 'node_modules' ? [] : filesUnder(join(path, name))));
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
