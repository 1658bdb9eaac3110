import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../../adapters/embedded/SqliteSchemaRegistry';
import { checkSchemaChanges, formatSchemaChangeProblem } from '../../../core/schema/checkSchemaChanges';
import { COMPATIBILITY_MODES } from '../../../core/schema/CompatibilityMode';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../../core/schema/syncSchemas';
import { removeSchemaDirs, schemasDirWithModes, writeSchemaVersion } from './frozenSchemaDir';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** A throwaway git repository whose HEAD holds `schemas-base` as schemas/. */
function gitRepoWithBase(): { root: string; schemasDir: string; replaceSchemas(fixture: string): void } {
  const root = mkdtempSync(join(tmpdir(), 'nexus-schemas-check-'));
  const schemasDir = join(root, 'schemas');
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: root, stdio: 'ignore' });
  };
  cpSync(join(FIXTURES, 'schemas-base'), schemasDir, { recursive: true });
  git('init', '-q');
  git('add', 'schemas');
  git('commit', '-q', '-m', 'base');
  return {
    root,
    schemasDir,
    replaceSchemas: (fixture) => {
      rmSync(schemasDir, { recursive: true });
      cpSync(join(FIXTURES, fixture), schemasDir, { recursive: true });
    },
  };
}

describe('checkSchemaChanges against the git base', () => {
  let repo: ReturnType<typeof gitRepoWithBase>;
  beforeEach(() => {
    repo = gitRepoWithBase();
  });
  afterEach(() => rmSync(repo.root, { recursive: true, force: true }));

  it('reports nothing when the working tree equals HEAD', async () => {
    // given: the committed schemas, unchanged
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([]);
    expect(report.versionCount).toBe(3);
  });

  it('accepts a new version that satisfies its compatibility mode', async () => {
    // given
    repo.replaceSchemas('schemas-compatible');
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([]);
  });

  it('names the field and rule of a new version that breaks BACKWARD compatibility', async () => {
    // given
    repo.replaceSchemas('schemas-breaking-new');
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems.map(formatSchemaChangeProblem)).toEqual([
      'test.shop.Ordered v3: field total.currency: FIELD_ADDED_WITHOUT_DEFAULT (BACKWARD against v2)',
    ]);
  });

  it('applies the mode from registry.json', async () => {
    // given: Ordered is FULL and v3 drops a field the older reader needs
    repo.replaceSchemas('schemas-full-mode');
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems.map(formatSchemaChangeProblem)).toEqual(['test.shop.Ordered v3: field id: FIELD_REMOVED_WITHOUT_DEFAULT (FORWARD against v2)']);
  });

  it('flags an edited version file as VERSION_MODIFIED', async () => {
    // given
    repo.replaceSchemas('schemas-modified');
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([expect.objectContaining({ schemaName: 'test.shop.Ordered', version: 1, field: 'id', rule: 'VERSION_MODIFIED' })]);
  });

  it('flags a deleted version file as VERSION_DELETED', async () => {
    // given
    repo.replaceSchemas('schemas-deleted');
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([expect.objectContaining({ schemaName: 'test.shop.Shipped', version: 1, rule: 'VERSION_DELETED' })]);
  });

  it('refuses an unknown base revision', async () => {
    // given
    const baseRef = 'no-such-branch';
    // when
    const checking = checkSchemaChanges({ schemasDir: repo.schemasDir, baseRef });
    // then
    await expect(checking).rejects.toMatchObject({ code: 'UNKNOWN_GIT_REF' });
  });
});

describe('checkSchemaChanges against a registry', () => {
  it('flags registered versions whose file changed, without git', async () => {
    // given: a registry synced from the base fixtures
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-base')));
    // when
    const report = await checkSchemaChanges({ schemasDir: join(FIXTURES, 'schemas-modified'), baseRef: null, registry });
    // then
    expect(report.problems.map((p) => [p.schemaName, p.version, p.rule, p.against])).toEqual([['test.shop.Ordered', 1, 'VERSION_MODIFIED', 'differs from registry']]);
  });

  it('reports an unreadable catalog as INVALID_CATALOG naming the file', async () => {
    // given
    const schemasDir = join(FIXTURES, 'schemas-invalid-json');
    // when
    const report = await checkSchemaChanges({ schemasDir, baseRef: null });
    // then
    expect(report.problems.map(formatSchemaChangeProblem)).toEqual([expect.stringMatching(/^INVALID_CATALOG: .*test\.shop\.Ordered\.v1\.avsc \(line 3\)/)]);
  });
});

describe('npm run schemas:check', () => {
  const run = (args: string[]): { status: number | null; output: string } => {
    const result = spawnSync('npx', ['tsx', join(REPO_ROOT, 'handlers', 'cli', 'schemas-check.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it('exits 1 naming schema, version, field and rule on a breaking change, and 2 on an unknown flag', () => {
    // given
    const breaking = ['--dir', join(FIXTURES, 'schemas-breaking-new'), '--db', join(FIXTURES, 'absent.db')];
    // when
    const failed = run(['--dir', join(FIXTURES, 'schemas-breaking-new')]);
    const misused = run(['--frobnicate']);
    const missingDb = run(breaking);
    // then
    expect(failed.status).toBe(1);
    expect(failed.output).toContain('test.shop.Ordered v3: field total.currency: FIELD_ADDED_WITHOUT_DEFAULT (BACKWARD against v2)');
    expect(misused.status).toBe(2);
    expect(misused.output).toContain('unknown option --frobnicate');
    expect(missingDb.status).toBe(2);
  });
});

describe('checkSchemaChanges under DISABLED', () => {
  afterAll(removeSchemaDirs);
  let repo: ReturnType<typeof gitRepoWithBase>;
  beforeEach(() => {
    repo = gitRepoWithBase();
  });
  afterEach(() => rmSync(repo.root, { recursive: true, force: true }));

  it('accepts the committed versions of a schema frozen with DISABLED', async () => {
    // given: the base holds Ordered v1, v2; the working tree freezes it
    schemasDirWithModes('schemas-base', { 'test.shop.Ordered': 'DISABLED' }, repo.schemasDir);
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([]);
  });

  it('refuses a version added beyond the base of a DISABLED schema', async () => {
    // given
    repo.replaceSchemas('schemas-compatible');
    schemasDirWithModes('schemas-compatible', { 'test.shop.Ordered': 'DISABLED' }, repo.schemasDir);
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems.map(formatSchemaChangeProblem)).toEqual(['test.shop.Ordered v3: field (root): REGISTRATION_DISABLED (DISABLED against v2)']);
  });

  it.each([...COMPATIBILITY_MODES])('accepts the first version of a new schema under %s', async (mode) => {
    // given: a schema the base does not hold, with one version
    writeSchemaVersion(repo.schemasDir, 'test.shop.Returned', 1);
    schemasDirWithModes('schemas-base', { 'test.shop.Returned': mode }, repo.schemasDir);
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([]);
  });

  it('accepts a new DISABLED schema with its history, as syncSchemas registers it', async () => {
    // given: a schema new to the base, frozen, with two versions
    writeSchemaVersion(repo.schemasDir, 'test.shop.Returned', 1);
    writeSchemaVersion(repo.schemasDir, 'test.shop.Returned', 2);
    schemasDirWithModes('schemas-base', { 'test.shop.Returned': 'DISABLED' }, repo.schemasDir);
    // when
    const report = await checkSchemaChanges({ schemasDir: repo.schemasDir });
    // then
    expect(report.problems).toEqual([]);
  });

  it('refuses, against a registry, a version beyond those a frozen schema holds', async () => {
    // given: a registry synced with Ordered frozen at v2
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(schemasDirWithModes('schemas-base', { 'test.shop.Ordered': 'DISABLED' })));
    const schemasDir = schemasDirWithModes('schemas-compatible', { 'test.shop.Ordered': 'DISABLED' });
    // when
    const report = await checkSchemaChanges({ schemasDir, baseRef: null, registry });
    // then
    expect(report.problems.map(formatSchemaChangeProblem)).toEqual(['test.shop.Ordered v3: field (root): REGISTRATION_DISABLED (DISABLED against v2)']);
  });
});
