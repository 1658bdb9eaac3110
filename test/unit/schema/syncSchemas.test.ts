import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../../adapters/embedded/SqliteSchemaRegistry';
import { COMPATIBILITY_MODES } from '../../../core/schema/CompatibilityMode';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../../core/schema/syncSchemas';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { removeSchemaDirs, schemasDirWithModes } from './frozenSchemaDir';

const FIXTURES = resolve(__dirname, '..', '..', 'fixtures');

describe('syncSchemas', () => {
  it('registers every catalog version in order', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    const catalog = loadSchemaCatalog(join(FIXTURES, 'schemas-base'));
    // when
    const result = await syncSchemas(registry, catalog);
    // then
    expect(result.registered.map((r) => `${r.schemaName} v${r.version}`)).toEqual(['test.shop.Ordered v1', 'test.shop.Ordered v2', 'test.shop.Shipped v1']);
    expect((await registry.getVersion('test.shop.Ordered', 2)).definition).toBe(catalog.versionsOf('test.shop.Ordered')[1]?.definition);
  });

  it('is idempotent', async () => {
    // given
    const { registry, catalog } = await createSchemaEnvironment();
    const before = await registry.listVersions('nexus.order.OrderPlaced');
    // when
    const result = await syncSchemas(registry, catalog);
    // then
    expect(result).toEqual({ registered: [], unchanged: catalog.entries.length });
    expect(await registry.listVersions('nexus.order.OrderPlaced')).toEqual(before);
  });

  it('registers only the new version on a later start', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-base')));
    // when
    const result = await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-compatible')));
    // then
    expect(result.registered.map((r) => r.version)).toEqual([3]);
  });

  it('fails with SCHEMA_DRIFT naming schema, version and file when a registered version differs from its file', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-base')));
    // when
    const syncing = syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-modified')));
    // then
    await expect(syncing).rejects.toMatchObject({
      code: 'SCHEMA_DRIFT',
      details: expect.objectContaining({ schemaName: 'test.shop.Ordered', version: 1, file: expect.stringContaining('test.shop.Ordered.v1.avsc') }),
    });
  });

  it('fails with INCOMPATIBLE_SCHEMA naming schema, field and rule for a breaking new version', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-base')));
    // when
    const syncing = syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-breaking-new')));
    // then
    await expect(syncing).rejects.toMatchObject({
      code: 'INCOMPATIBLE_SCHEMA',
      details: expect.objectContaining({ schemaName: 'test.shop.Ordered', version: 3, field: 'total.currency', rule: 'FIELD_ADDED_WITHOUT_DEFAULT' }),
    });
    expect(await registry.listVersions('test.shop.Ordered')).toHaveLength(2);
  });

  it('applies the compatibility mode from the catalog', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-base')));
    // when
    const syncing = syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-full-mode')));
    // then
    await expect(syncing).rejects.toMatchObject({ code: 'INCOMPATIBLE_SCHEMA', details: expect.objectContaining({ field: 'id', rule: 'FIELD_REMOVED_WITHOUT_DEFAULT' }) });
    expect(await registry.getCompatibility('test.shop.Ordered')).toBe('FULL');
  });
});

describe('syncSchemas under DISABLED', () => {
  afterAll(removeSchemaDirs);

  it.each([...COMPATIBILITY_MODES])('registers the first version of a new schema under %s', async (mode) => {
    // given: a one-version schema whose registry.json names the mode
    const dir = schemasDirWithModes('schemas-base', { 'test.shop.Shipped': mode });
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    // when
    await syncSchemas(registry, loadSchemaCatalog(dir));
    // then
    expect((await registry.listVersions('test.shop.Shipped')).map((v) => v.version)).toEqual([1]);
    expect(await registry.getCompatibility('test.shop.Shipped')).toBe(mode);
  });

  it("registers a DISABLED schema's files as its history on a registry without it, then freezes it", async () => {
    // given: Ordered (v1, v2) is DISABLED and the registry is empty
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    const catalog = loadSchemaCatalog(schemasDirWithModes('schemas-base', { 'test.shop.Ordered': 'DISABLED' }));
    // when
    const result = await syncSchemas(registry, catalog);
    // then
    expect(result.registered.filter((r) => r.schemaName === 'test.shop.Ordered').map((r) => r.version)).toEqual([1, 2]);
    expect(await registry.getCompatibility('test.shop.Ordered')).toBe('DISABLED');
  });

  it('is idempotent for a frozen schema', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    const catalog = loadSchemaCatalog(schemasDirWithModes('schemas-base', { 'test.shop.Ordered': 'DISABLED' }));
    await syncSchemas(registry, catalog);
    // when
    const again = await syncSchemas(registry, catalog);
    // then
    expect(again).toEqual({ registered: [], unchanged: 3 });
  });

  it('refuses a version beyond those a frozen schema holds, naming schema, version, file and rule', async () => {
    // given: Ordered v1, v2 registered and frozen; the files now add v3
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(schemasDirWithModes('schemas-base', { 'test.shop.Ordered': 'DISABLED' })));
    // when
    const syncing = syncSchemas(registry, loadSchemaCatalog(schemasDirWithModes('schemas-compatible', { 'test.shop.Ordered': 'DISABLED' })));
    // then
    await expect(syncing).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRATION_DISABLED',
      message: expect.stringContaining('no version may follow v2'),
      details: expect.objectContaining({ schemaName: 'test.shop.Ordered', version: 3, rule: 'REGISTRATION_DISABLED', file: expect.stringContaining('test.shop.Ordered.v3.avsc') }),
    });
    expect(await registry.listVersions('test.shop.Ordered')).toHaveLength(2);
  });

  it('freezes a schema switched to DISABLED at the versions the registry holds', async () => {
    // given: Ordered v1, v2 registered under BACKWARD; the files switch it to DISABLED and add v3
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    await syncSchemas(registry, loadSchemaCatalog(join(FIXTURES, 'schemas-base')));
    // when
    const syncing = syncSchemas(registry, loadSchemaCatalog(schemasDirWithModes('schemas-compatible', { 'test.shop.Ordered': 'DISABLED' })));
    // then
    await expect(syncing).rejects.toMatchObject({ code: 'SCHEMA_REGISTRATION_DISABLED', details: expect.objectContaining({ version: 3 }) });
    expect(await registry.getCompatibility('test.shop.Ordered')).toBe('DISABLED');
  });

  it('resumes the history of a frozen schema when a crash cut its first registration short', async () => {
    // given: a crash left Ordered with v1 only, still NONE, before it was frozen
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    const catalog = loadSchemaCatalog(schemasDirWithModes('schemas-base', { 'test.shop.Ordered': 'DISABLED' }));
    await registry.register('test.shop.Ordered', catalog.versionsOf('test.shop.Ordered')[0]?.definition ?? '', { compatibility: 'NONE' });
    // when
    const result = await syncSchemas(registry, catalog);
    // then
    expect(result.registered.filter((r) => r.schemaName === 'test.shop.Ordered').map((r) => r.version)).toEqual([2]);
    expect(await registry.getCompatibility('test.shop.Ordered')).toBe('DISABLED');
  });
});
