import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packagedService, REPOSITORY_ROOT } from '../../support/packagedService';
import type { PackagedService } from '../../support/packagedService';
import { unzipTo, zipEntryNames } from '../../support/zipFiles';

const run = promisify(execFile);

/** What a function's zip may hold: its bundle, the bundle's source map, the schemas and the compiled policy. */
const ALLOWED = [/^handlers\/aws\/lambda\/[A-Za-z]+\.js(\.map)?$/, /^schemas\/([A-Za-z0-9.]+\.avsc|registry\.json)$/, /^policies\/build\/runtime\.wasm$/];
/** What must never be shipped. */
const FORBIDDEN: [string, RegExp][] = [
  ['a secret', /jwt-secret|\.pem$|\.key$|(^|\/)\.env/],
  ['a database', /\.(db|sqlite|sqlite3)(-wal|-shm|-journal)?$/],
  ['the data directory', /(^|\/)\.nexus\//],
  ['a test file', /(^|\/)test\/|\.test\.[jt]s$/],
  ['TypeScript source', /\.ts$/],
  ['node_modules', /(^|\/)node_modules\//],
];

describe('the packaged zips', () => {
  let service: PackagedService;
  let scratch: string;

  beforeAll(async () => {
    service = await packagedService();
    scratch = mkdtempSync(join(tmpdir(), 'nexus-zips-'));
  }, 600_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has one zip per function of the template', () => {
    // then
    const functions = Object.entries(service.template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
    expect(Object.keys(service.zips).sort()).toEqual(functions.map(([logicalId]) => logicalId.replace(/LambdaFunction$/, '')).map((pascal) => pascal.charAt(0).toLowerCase() + pascal.slice(1)).sort());
  });

  it('holds the bundles only: no secret, database, test file, TypeScript source or node_modules', async () => {
    for (const [key, zip] of Object.entries(service.zips)) {
      // when
      const names = await zipEntryNames(zip);
      // then
      for (const name of names) {
        for (const [what, pattern] of FORBIDDEN) expect({ key, name, what, shipped: pattern.test(name) }).toEqual({ key, name, what, shipped: false });
        expect({ key, name, allowed: ALLOWED.some((pattern) => pattern.test(name)) }).toEqual({ key, name, allowed: true });
      }
      expect(names.filter((name) => name.endsWith('.js'))).toHaveLength(1);
      expect(names.some((name) => name.endsWith('.js.map'))).toBe(true);
    }
  });

  it('loads every bundle with only the AWS SDK beside it, as the Lambda runtime provides', async () => {
    // given a node_modules with the SDK alone (the runtime's), so a dependency left out of a bundle cannot resolve
    const runtimeModules = join(scratch, 'runtime', 'node_modules');
    mkdirSync(runtimeModules, { recursive: true });
    symlinkSync(join(REPOSITORY_ROOT, 'node_modules', '@aws-sdk'), join(runtimeModules, '@aws-sdk'));
    for (const [key, zip] of Object.entries(service.zips)) {
      const taskRoot = join(scratch, key);
      await unzipTo(zip, taskRoot);
      const [bundle] = (await zipEntryNames(zip)).filter((name) => name.endsWith('.js'));
      // when
      const { stdout } = await run(process.execPath, ['--enable-source-maps', '-e', `const m = require(${JSON.stringify(join(taskRoot, bundle ?? ''))}); process.stdout.write(typeof m.handler)`], {
        cwd: taskRoot,
        env: { PATH: process.env.PATH ?? '', NODE_PATH: runtimeModules, LAMBDA_TASK_ROOT: taskRoot, AWS_REGION: 'eu-west-1', NEXUS_STAGE: 'ci' },
      });
      // then
      expect({ key, handler: stdout }).toEqual({ key, handler: 'function' });
    }
  });
});
