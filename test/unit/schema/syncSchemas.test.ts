import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../../adapters/embedded/SqliteSchemaRegistry';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../../core/schema/syncSchemas';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';

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
