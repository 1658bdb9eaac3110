import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSchemaRegistry } from '../../adapters/embedded/SqliteSchemaRegistry';
import { describeSchemaRegistryContract } from './schemaRegistryContract';

describeSchemaRegistryContract('SqliteSchemaRegistry', async () => new SqliteSchemaRegistry(new Database(':memory:')));

describe('SqliteSchemaRegistry', () => {
  it('keeps versions and ids across a reopen of the database file', async () => {
    // given
    const dir = mkdtempSync(join(tmpdir(), 'nexus-registry-'));
    const file = join(dir, 'nexus.db');
    const definition = JSON.stringify({ type: 'record', name: 'test.Kept', fields: [{ name: 'id', type: 'string' }] });
    const first = new Database(file);
    const registered = await new SqliteSchemaRegistry(first).register('test.Kept', definition, { compatibility: 'FULL' });
    first.close();
    // when
    const reopened = new Database(file);
    const registry = new SqliteSchemaRegistry(reopened);
    // then
    expect(await registry.getByVersionId(registered.schemaVersionId)).toEqual(registered);
    expect(await registry.getCompatibility('test.Kept')).toBe('FULL');
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
