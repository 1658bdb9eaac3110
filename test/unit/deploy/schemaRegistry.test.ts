import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { schemaFilesDigest } from '../../../core/schema/schemaFilesDigest';
import { schemaRegistryResources } from '../../../deploy/resources/schemaRegistry';

const SCHEMAS = resolve(__dirname, '../../../schemas');
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function copyOfSchemas(): string {
  const directory = mkdtempSync(join(tmpdir(), 'nexus-schemas-digest-'));
  directories.push(directory);
  cpSync(SCHEMAS, directory, { recursive: true });
  return directory;
}

function schemasHashOf(schemasDir: string): unknown {
  const resources = schemaRegistryResources({ stage: 'dev', schemasDir });
  return (resources['NexusSchemas']?.['Properties'] as Record<string, unknown>)['SchemasHash'];
}

describe('schemaRegistryResources', () => {
  it('declares the stage registry, retained when the stack goes', () => {
    // given / when
    const resources = schemaRegistryResources({ stage: 'prod', schemasDir: SCHEMAS });
    // then
    expect(resources['SchemaRegistry']).toEqual({
      Type: 'AWS::Glue::Registry',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Name: 'nexus-prod-schemas', Description: expect.stringContaining('NexusSchemas') },
    });
  });

  it('declares NexusSchemas on the schemas function, with the registry name (its Ref orders it after the registry) and the digest of schemas/', () => {
    // given / when
    const resources = schemaRegistryResources({ stage: 'dev', schemasDir: SCHEMAS });
    // then
    expect(resources['NexusSchemas']).toEqual({
      Type: 'Custom::NexusSchemas',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['SchemasLambdaFunction', 'Arn'] },
        ServiceTimeout: 600,
        // The registry's Ref is its ARN (arn:...:registry/<name>).
        RegistryName: { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'SchemaRegistry' }] }] },
        SchemasHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
  });

  it('keeps the same SchemasHash while the schema files are the same', () => {
    // given two copies of schemas/
    const first = copyOfSchemas();
    const second = copyOfSchemas();
    // when / then
    expect(schemasHashOf(first)).toBe(schemasHashOf(second));
    expect(schemasHashOf(first)).toBe(schemaFilesDigest(SCHEMAS));
  });

  it('changes the SchemasHash when a schema changes, one is added, or the compatibility settings change', () => {
    // given
    const directory = copyOfSchemas();
    const seen = [schemasHashOf(directory)];
    // when a schema file changes
    writeFileSync(join(directory, 'nexus.order.OrderConfirmed.v1.avsc'), JSON.stringify({ type: 'record', name: 'OrderConfirmed', namespace: 'nexus.order', fields: [{ name: 'orderId', type: 'string' }] }));
    seen.push(schemasHashOf(directory));
    // when a version is added
    writeFileSync(join(directory, 'nexus.order.OrderConfirmed.v2.avsc'), JSON.stringify({ type: 'record', name: 'OrderConfirmed', namespace: 'nexus.order', fields: [{ name: 'orderId', type: 'string' }, { name: 'note', type: 'string', default: '' }] }));
    seen.push(schemasHashOf(directory));
    // when registry.json sets a compatibility mode (the registration applies it)
    writeFileSync(join(directory, 'registry.json'), JSON.stringify({ compatibility: { 'nexus.order.OrderConfirmed': 'FULL' } }));
    seen.push(schemasHashOf(directory));
    // then every state has its own hash
    expect(new Set(seen).size).toBe(4);
  });

  it('ignores files the registration does not read', () => {
    // given
    const directory = copyOfSchemas();
    const before = schemasHashOf(directory);
    // when
    writeFileSync(join(directory, 'README.md'), 'notes about the schemas\n');
    // then
    expect(schemasHashOf(directory)).toBe(before);
  });

  it('tells a renamed file from the original: names are part of the hash', () => {
    // given two directories with the same content under different names
    const a = mkdtempSync(join(tmpdir(), 'nexus-schemas-digest-'));
    const b = mkdtempSync(join(tmpdir(), 'nexus-schemas-digest-'));
    directories.push(a, b);
    writeFileSync(join(a, 'x.A.v1.avsc'), '{}');
    writeFileSync(join(b, 'x.B.v1.avsc'), '{}');
    // when / then
    expect(schemaFilesDigest(a)).not.toBe(schemaFilesDigest(b));
  });
});
