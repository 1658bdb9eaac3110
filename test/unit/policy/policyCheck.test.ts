import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPOSITORY_ROOT, RUNTIME_WASM, buildRuntimeWasm, findOpa, runRegoTests } from '../../../scripts/policy/opaCommands';

const TSX_CLI = require.resolve('tsx/cli');
const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

/** Runs `npm run policy` (the real CLI), optionally on another tree. */
function policyCheck(...args: string[]): { status: number | null; output: string; stdout: string } {
  const result = spawnSync(process.execPath, [TSX_CLI, 'handlers/cli/policy-check.ts', ...args], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

// OPA comes from scripts/install-opa.sh, as in CI: when it cannot be found or built, these tests
// fail with the script's message rather than being skipped.
let opa: string;
beforeAll(() => {
  opa = findOpa();
}, 600_000);

describe('the policies', () => {
  it('pass their own Rego tests (opa test policies/)', () => {
    // given the policies folder
    // when
    const result = runRegoTests(opa, join(REPOSITORY_ROOT, 'policies'));
    // then
    expect(result.output).toMatch(/PASS: \d+\/\d+/);
    expect(result.ok).toBe(true);
  });

  it('are committed compiled exactly as policies/runtime builds', () => {
    // given the committed WebAssembly module
    const committed = readFileSync(join(REPOSITORY_ROOT, RUNTIME_WASM));
    // when
    const rebuilt = buildRuntimeWasm(opa, join(REPOSITORY_ROOT, 'policies'));
    // then
    expect(rebuilt.equals(committed)).toBe(true);
  });
});

describe('npm run policy', () => {
  it('passes on the repository', () => {
    // given the repository as committed
    // when
    const result = policyCheck();
    // then
    expect(result.output).toContain('0 violation(s)');
    expect(result.status).toBe(0);
  });

  it('refuses a --root that does not exist, naming the flag and the path, instead of reporting 0 violations', () => {
    // given a root that is not there
    const missing = join(FIXTURES, 'no-such-tree');
    // when
    const result = policyCheck('--root', missing);
    // then it is a usage error, and nothing was judged
    expect(result.status).toBe(2);
    expect(result.output).toContain(`policy: --root ${missing}: no such directory`);
    expect(result.output).not.toContain('violation(s)');
  });

  it('refuses a --root that is a file', () => {
    // given a file as the root
    const file = join(REPOSITORY_ROOT, 'package.json');
    // when
    const result = policyCheck('--root', file);
    // then
    expect(result.status).toBe(2);
    expect(result.output).toContain(`policy: --root ${file}: not a directory`);
  });

  it('fails on a tree with an adapter importing another adapter, naming rule, file and import', () => {
    // given test/fixtures/policy-forbidden-import
    // when
    const result = policyCheck('--root', join(FIXTURES, 'policy-forbidden-import'));
    // then
    expect(result.status).toBe(1);
    expect(result.output).toContain('[decoupling/adapter-to-adapter] adapters/aws/DynamoDbEventStore.ts:3: imports ../embedded/SqliteEventsTable');
  });

  it('fails on a serverless.yml granting UpdateItem on the events table, naming rule, file and statement', () => {
    // given test/fixtures/policy-forbidden-grant
    // when
    const result = policyCheck('--root', join(FIXTURES, 'policy-forbidden-grant'));
    // then
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/\[immutability\/events-table-append-only\] serverless\.yml:15: provider\.iam\.role\.statements\[1\] allows dynamodb:UpdateItem on .*EventsTable/);
    expect(result.output).not.toContain('statements[0]');
  });

  it('judges a packaging made elsewhere (--packaged): a generated role granting UpdateItem on the events table fails', () => {
    // given a stage's packaged template whose pipeline role may update events
    const packaged = mkdtempSync(join(tmpdir(), 'nexus-packaged-'));
    const role = (actions: string[]) => ({
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: [{ 'Fn::GetAtt': ['EventsTable', 'Arn'] }] }] } }] },
    });
    const template = { Resources: { EventsTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'nexus-prod-events' } }, ApiRole: role(['dynamodb:PutItem']), RouterPipelineRole: role(['dynamodb:UpdateItem']) } };
    writeFileSync(join(packaged, 'cloudformation-template-update-stack.json'), JSON.stringify(template));
    try {
      // when
      const result = policyCheck('--packaged', packaged);
      // then
      expect(result.status).toBe(1);
      expect(result.output).toMatch(/\[immutability\/events-table-append-only\] .*cloudformation-template-update-stack\.json.*RouterPipelineRole.* allows dynamodb:UpdateItem/);
      expect(result.output).not.toMatch(/ApiRole.*allows/);
    } finally {
      rmSync(packaged, { recursive: true, force: true });
    }
  });

  it('fails on direct calls, event-table deletes and unregistered event types', () => {
    // given test/fixtures/policy-direct-call
    // when
    const result = policyCheck('--root', join(FIXTURES, 'policy-direct-call'), '--json');
    // then
    expect(result.status).toBe(1);
    const json = result.stdout.slice(0, result.stdout.lastIndexOf(']') + 1);
    const violations = JSON.parse(json) as { rule: string; file: string }[];
    expect(violations.map((v) => `${v.rule} ${v.file}`).sort()).toEqual([
      'decoupling/service-to-service-call pipelines/notify-warehouse.ts',
      'immutability/no-update-or-delete-code adapters/embedded/purgeEvents.ts',
      'immutability/no-update-or-delete-code adapters/embedded/purgeEvents.ts',
      'schemas/emitted-event-registered domain/ShopEvents.ts',
      'schemas/oftype-registered pipelines/notify-warehouse.ts',
    ]);
  });
});
