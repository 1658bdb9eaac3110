import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { motoEndpoint } from '../engines/awsTestClients';
import { runCli } from '../unit/cli/runCli';
import type { CliRun } from '../unit/cli/runCli';
import { countingGlueClient, testRegistries } from './GlueSchemaRegistryTestClient';

const REGION = 'eu-west-2';
const glue = countingGlueClient(REGION);
const registries = testRegistries(glue.client, 'nexus-check');
const directories: string[] = [];

afterEach(async () => {
  await registries.deleteAll();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
afterAll(() => glue.client.destroy());

function record(name: string, fields: Record<string, unknown>[]): string {
  return `${JSON.stringify({ type: 'record', name, namespace: 'check.shop', fields }, null, 2)}\n`;
}

const ORDERED_V1 = record('Ordered', [{ name: 'id', type: 'string' }]);
const ORDERED_V2 = record('Ordered', [{ name: 'id', type: 'string' }, { name: 'note', type: 'string', default: '' }]);
const SHIPPED_V1 = record('Shipped', [{ name: 'id', type: 'string' }]);

/** A schemas/ directory (outside any git repository) holding `files`. */
function schemasDir(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'nexus-check-glue-'));
  directories.push(directory);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

/** Registers every version of `directory` into a new Glue registry, as a deployment does. */
async function registryFedFrom(directory: string): Promise<string> {
  const registryName = await registries.create();
  await syncSchemas(new GlueSchemaRegistry({ client: glue.client, registryName }), loadSchemaCatalog(directory));
  return registryName;
}

function schemasCheck(directory: string, ...extra: string[]): CliRun {
  return runCli('handlers/cli/schemas-check.ts', ['--dir', directory, '--registry', 'glue', '--region', REGION, '--endpoint', motoEndpoint(), ...extra], {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_PROFILE: undefined,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

describe('npm run schemas:check -- --registry glue (on moto)', () => {
  it('passes when schemas/ matches Glue, and lists the versions Glue does not hold yet', async () => {
    // given Glue fed with Ordered v1 and Shipped v1, then Ordered v2 added to the directory
    const directory = schemasDir({ 'check.shop.Ordered.v1.avsc': ORDERED_V1, 'check.shop.Shipped.v1.avsc': SHIPPED_V1 });
    const registryName = await registryFedFrom(directory);
    writeFileSync(join(directory, 'check.shop.Ordered.v2.avsc'), ORDERED_V2);
    // when
    const run = schemasCheck(directory, '--registry-name', registryName);
    // then
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`note: check.shop.Ordered v2 is not registered in Glue registry ${registryName} yet\n`);
    expect(run.stdout).not.toContain('check.shop.Ordered v1 is not registered');
    expect(run.stdout).toContain(`schemas-check: 3 schema version(s) in ${directory}, no breaking changes\n`);
    // moto 5.2.5 does not serve ListSchemas: said, not hidden
    expect(run.stdout).toContain(`note: Glue registry ${registryName} could not list its schemas (SCHEMA_REGISTRY_UNAVAILABLE): schemas registered without a file in ${directory} are not compared`);
  });

  it('fails naming a registered version whose file changed, and one whose file is gone', async () => {
    // given Glue holding Ordered v1 and v2; then v1 edited and v2 deleted in the directory
    const directory = schemasDir({ 'check.shop.Ordered.v1.avsc': ORDERED_V1, 'check.shop.Ordered.v2.avsc': ORDERED_V2 });
    const registryName = await registryFedFrom(directory);
    writeFileSync(join(directory, 'check.shop.Ordered.v1.avsc'), record('Ordered', [{ name: 'id', type: 'string' }, { name: 'count', type: 'int' }]));
    unlinkSync(join(directory, 'check.shop.Ordered.v2.avsc'));
    // when
    const run = schemasCheck(directory, '--registry-name', registryName);
    // then
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('check.shop.Ordered v1: field count: VERSION_MODIFIED (differs from registry)\n');
    expect(run.stderr).toContain('check.shop.Ordered v2: field (root): VERSION_DELETED (present in registry)\n');
    expect(run.stderr).toContain(`schemas-check: 2 breaking change(s) in ${directory}\n`);
  });

  it('fails naming the field and rule of a new version that breaks BACKWARD against the registered one', async () => {
    // given Glue holding Ordered v1, and a v2 that adds a field without a default
    const directory = schemasDir({ 'check.shop.Ordered.v1.avsc': ORDERED_V1 });
    const registryName = await registryFedFrom(directory);
    writeFileSync(join(directory, 'check.shop.Ordered.v2.avsc'), record('Ordered', [{ name: 'id', type: 'string' }, { name: 'count', type: 'int' }]));
    // when
    const run = schemasCheck(directory, '--registry-name', registryName);
    // then
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('check.shop.Ordered v2: field count: FIELD_ADDED_WITHOUT_DEFAULT (BACKWARD against v1)\n');
    expect(run.stdout).toContain(`note: check.shop.Ordered v2 is not registered in Glue registry ${registryName} yet\n`);
  });

  it('exits 2 naming a registry that does not exist, instead of reporting everything unregistered', () => {
    // given
    const directory = schemasDir({ 'check.shop.Ordered.v1.avsc': ORDERED_V1 });
    // when
    const run = schemasCheck(directory, '--registry-name', 'nexus-no-such-registry');
    // then
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('schemas-check: Glue registry nexus-no-such-registry does not exist\n');
    expect(run.stdout).toBe('');
  });

  it('exits 2 on --registry glue without --registry-name, and on glue flags without --registry glue', () => {
    // given
    const directory = schemasDir({ 'check.shop.Ordered.v1.avsc': ORDERED_V1 });
    // when
    const withoutName = schemasCheck(directory);
    const embeddedWithRegion = runCli('handlers/cli/schemas-check.ts', ['--dir', directory, '--region', REGION]);
    // then
    expect(withoutName.status).toBe(2);
    expect(withoutName.stderr).toContain('schemas-check: --registry glue needs --registry-name');
    expect(embeddedWithRegion.status).toBe(2);
    expect(embeddedWithRegion.stderr).toContain('schemas-check: --region need(s) --registry glue');
  });
});
