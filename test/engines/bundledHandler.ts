/**
 * Runs a packaged function the way Lambda does, as far as a test can: the zip unpacked into a
 * task root, the bundle loaded by a fresh Node process (a cold start) with only the AWS SDK
 * resolvable beside it (the runtime's), the handler called once with an event and a context.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipTo, zipEntryNames } from '../support/zipFiles';

const run = promisify(execFile);
const RESULT_MARK = '@@nexus-result@@';

/** A function unpacked into its task root. */
export interface UnpackedFunction {
  taskRoot: string;
  /** The bundle's path inside the task root, e.g. handlers/aws/lambda/api.js. */
  bundle: string;
}

/** Unpacks `zip` under `directory/<name>`. */
export async function unpackFunction(zip: string, directory: string, name: string): Promise<UnpackedFunction> {
  const taskRoot = join(directory, name);
  await unzipTo(zip, taskRoot);
  const [bundle] = (await zipEntryNames(zip)).filter((entry) => entry.endsWith('.js'));
  if (bundle === undefined) throw new Error(`${zip} holds no bundle`);
  return { taskRoot, bundle };
}

/** A node_modules holding the AWS SDK alone, as the Lambda runtime provides it. */
export function runtimeModules(directory: string, repositoryRoot: string): string {
  const modules = join(directory, 'runtime', 'node_modules');
  if (!existsSync(join(modules, '@aws-sdk'))) {
    mkdirSync(modules, { recursive: true });
    symlinkSync(join(repositoryRoot, 'node_modules', '@aws-sdk'), join(modules, '@aws-sdk'));
  }
  return modules;
}

/** What one invocation returned, and everything the function wrote (logs, EMF lines). */
export interface BundleInvocation<R> {
  result: R;
  output: string;
}

/** Invokes the bundle's handler once in a new process with `env` as its whole environment (plus PATH). */
export async function invokeBundle<R>(fn: UnpackedFunction, event: unknown, env: Record<string, string>, nodeModules: string, functionName: string): Promise<BundleInvocation<R>> {
  const eventFile = join(fn.taskRoot, '..', `${functionName}-event-${Date.now()}.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  const script = `
    const { handler } = require(${JSON.stringify(join(fn.taskRoot, fn.bundle))});
    const event = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(eventFile)}, 'utf8'));
    const endsAt = Date.now() + 60000;
    const context = { functionName: ${JSON.stringify(functionName)}, functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:' + ${JSON.stringify(functionName)},
      memoryLimitInMB: '1024', awsRequestId: require('node:crypto').randomUUID(), logGroupName: '/aws/lambda/' + ${JSON.stringify(functionName)}, logStreamName: 'bundle',
      callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()), done() {}, fail() {}, succeed() {} };
    Promise.resolve(handler(event, context)).then(
      (result) => { process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(result === undefined ? null : result) + '\\n'); process.exit(0); },
      (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
  `;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '-e', script], {
    cwd: fn.taskRoot,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: nodeModules, LAMBDA_TASK_ROOT: fn.taskRoot, ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  const at = stdout.lastIndexOf(RESULT_MARK);
  if (at === -1) throw new Error(`${functionName} answered nothing:\n${stdout}`);
  return { result: JSON.parse(stdout.slice(at + RESULT_MARK.length)) as R, output: stdout.slice(0, at) };
}
