import { canonicalSchema } from '../../core/schema/canonicalSchema';
import { COMPATIBILITY_MODES } from '../../core/schema/CompatibilityMode';
import type { SchemaRegistry } from '../../core/schema/SchemaRegistry';

const NAME = 'contract.shop.Ordered';

function definition(fields: Record<string, unknown>[], name = 'Ordered'): string {
  return JSON.stringify({ type: 'record', name, namespace: 'contract.shop', fields });
}

const V1 = definition([{ name: 'id', type: 'string' }]);
const V2 = definition([{ name: 'id', type: 'string' }, { name: 'note', type: 'string', default: '' }]);
const BREAKS_BACKWARD = definition([{ name: 'id', type: 'string' }, { name: 'count', type: 'int' }]);

/** Operations an engine under test does not serve, each with the reason; their cases are skipped, visibly. */
export interface SchemaRegistryEngineGaps {
  /** e.g. moto 5.2.5 does not implement Glue's ListSchemas. */
  listSchemaNames?: string;
}

/**
 * The behaviour every SchemaRegistry implementation must have. Call inside a test file with a
 * factory that returns a fresh, empty registry for each test. `engineGaps` names what the engine
 * under test cannot serve (never what the implementation lacks): those cases are reported skipped.
 *
 * @example describeSchemaRegistryContract('SqliteSchemaRegistry', async () => new SqliteSchemaRegistry(new Database(':memory:')))
 */
export function describeSchemaRegistryContract(implementationName: string, createRegistry: () => Promise<SchemaRegistry>, engineGaps: SchemaRegistryEngineGaps = {}): void {
  describe(`${implementationName} (SchemaRegistry contract)`, () => {
    let registry: SchemaRegistry;
    beforeEach(async () => {
      registry = await createRegistry();
    });

    it('registers a first version as version 1 with a UUID', async () => {
      // given: an empty registry
      // when
      const registered = await registry.register(NAME, V1);
      // then: the definition as the registry holds it (Glue: the canonical form) is the same schema
      expect(registered).toEqual({ schemaVersionId: expect.stringMatching(/^[0-9a-f-]{36}$/), schemaName: NAME, version: 1, definition: expect.any(String) });
      expect(canonicalSchema(registered.definition)).toBe(canonicalSchema(V1));
      expect(await registry.getCompatibility(NAME)).toBe('BACKWARD');
    });

    const listsNames = engineGaps.listSchemaNames === undefined ? it : it.skip;
    const gap = engineGaps.listSchemaNames === undefined ? '' : ` [skipped: ${engineGaps.listSchemaNames}]`;
    listsNames(`lists every registered schema name, sorted${gap}`, async () => {
      // given
      await registry.register(NAME, V1);
      await registry.register('contract.shop.Cancelled', definition([{ name: 'id', type: 'string' }], 'Cancelled'));
      // when
      const names = await registry.listSchemaNames();
      // then
      expect(names).toEqual(['contract.shop.Cancelled', NAME]);
    });

    it('returns the existing version when the same definition is registered again, however it is laid out', async () => {
      // given
      const first = await registry.register(NAME, V1);
      // when
      const again = await registry.register(NAME, JSON.stringify(JSON.parse(V1), null, 2));
      // then
      expect(again.schemaVersionId).toBe(first.schemaVersionId);
      expect(await registry.listVersions(NAME)).toHaveLength(1);
    });

    it('numbers new versions in order with distinct ids', async () => {
      // given
      const v1 = await registry.register(NAME, V1);
      // when
      const v2 = await registry.register(NAME, V2);
      // then
      expect(v2.version).toBe(2);
      expect(v2.schemaVersionId).not.toBe(v1.schemaVersionId);
      expect((await registry.listVersions(NAME)).map((v) => v.version)).toEqual([1, 2]);
    });

    it('looks versions up by id, by number, by definition and as latest', async () => {
      // given
      const v1 = await registry.register(NAME, V1);
      const v2 = await registry.register(NAME, V2);
      // when
      const byId = await registry.getByVersionId(v1.schemaVersionId);
      const byNumber = await registry.getVersion(NAME, 2);
      const latest = await registry.getLatest(NAME);
      const byDefinition = await registry.findByDefinition(NAME, V2);
      const notRegistered = await registry.findByDefinition(NAME, BREAKS_BACKWARD);
      // then
      expect(byId).toEqual(v1);
      expect(byNumber).toEqual(v2);
      expect(latest).toEqual(v2);
      expect(byDefinition).toEqual(v2);
      expect(notRegistered).toBeUndefined();
    });

    it('refuses unknown ids, names and versions with their codes', async () => {
      // given
      await registry.register(NAME, V1);
      // when / then
      await expect(registry.getByVersionId('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_VERSION' });
      await expect(registry.getVersion(NAME, 9)).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA' });
      await expect(registry.getLatest('contract.Nothing')).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA' });
      expect(await registry.listVersions('contract.Nothing')).toEqual([]);
    });

    it('refuses a definition that is not Avro or names another schema', async () => {
      // given
      const notAvro = '{"type": "record", "name": "Ordered"';
      // when / then
      await expect(registry.register(NAME, notAvro)).rejects.toMatchObject({ code: 'INVALID_SCHEMA' });
      await expect(registry.register(NAME, definition([], 'Other'))).rejects.toMatchObject({ code: 'INVALID_SCHEMA' });
    });

    it('refuses a union default that does not match the first branch, and an empty union', async () => {
      // given: definitions that some Avro parsers accept
      const secondBranchDefault = definition([{ name: 'note', type: ['null', 'string'], default: 'none' }]);
      const emptyUnion = definition([{ name: 'note', type: [] }]);
      // when / then
      await expect(registry.register(NAME, secondBranchDefault)).rejects.toMatchObject({
        code: 'INVALID_SCHEMA',
        message: expect.stringContaining("union defaults must match the first branch's type"),
      });
      await expect(registry.register(NAME, emptyUnion)).rejects.toMatchObject({ code: 'INVALID_SCHEMA', message: expect.stringContaining('empty union') });
    });

    it('refuses a nested record moved to another namespace unless it is aliased', async () => {
      // given
      const money = (namespace: string, aliases: string[] = []): string =>
        definition([{ name: 'total', type: { type: 'record', name: 'Money', namespace, aliases, fields: [{ name: 'amount', type: 'double' }] } }]);
      await registry.register(NAME, money('contract.shop'), { compatibility: 'BACKWARD' });
      // when
      const moved: unknown = await registry.register(NAME, money('contract.billing')).catch((error: unknown) => error);
      const aliased = await registry.register(NAME, money('contract.billing', ['contract.shop.Money']));
      // then
      expect(moved).toMatchObject({ code: 'INCOMPATIBLE_SCHEMA', details: expect.objectContaining({ field: 'total', rule: 'NAME_MISMATCH' }) });
      expect(aliased.version).toBe(2);
    });

    it('refuses an incompatible version under BACKWARD, naming the field and rule', async () => {
      // given
      await registry.register(NAME, V1);
      // when
      const registering = registry.register(NAME, BREAKS_BACKWARD);
      // then
      await expect(registering).rejects.toMatchObject({
        code: 'INCOMPATIBLE_SCHEMA',
        details: expect.objectContaining({ schemaName: NAME, field: 'count', rule: 'FIELD_ADDED_WITHOUT_DEFAULT', againstVersion: 1 }),
      });
      expect(await registry.listVersions(NAME)).toHaveLength(1);
    });

    it('accepts anything under NONE', async () => {
      // given
      await registry.register(NAME, V1, { compatibility: 'NONE' });
      // when
      const registered = await registry.register(NAME, BREAKS_BACKWARD);
      // then
      expect(registered.version).toBe(2);
    });

    it('refuses every new version under DISABLED but still returns existing ones', async () => {
      // given
      const v1 = await registry.register(NAME, V1);
      await registry.setCompatibility(NAME, 'DISABLED');
      // when
      const again = await registry.register(NAME, V1);
      const registering = registry.register(NAME, V2);
      // then
      expect(again).toEqual(v1);
      await expect(registering).rejects.toMatchObject({ code: 'SCHEMA_REGISTRATION_DISABLED' });
      expect(await registry.getCompatibility(NAME)).toBe('DISABLED');
    });

    it.each([...COMPATIBILITY_MODES])('accepts the first version of a schema created under %s', async (mode) => {
      // given: an empty registry
      // when
      const registered = await registry.register(NAME, V1, { compatibility: mode });
      // then
      expect(registered.version).toBe(1);
      expect(await registry.getCompatibility(NAME)).toBe(mode);
      expect(await registry.getLatest(NAME)).toEqual(registered);
    });

    it('refuses the second version of a schema created under DISABLED, naming the version it may not follow', async () => {
      // given
      const v1 = await registry.register(NAME, V1, { compatibility: 'DISABLED' });
      // when
      const again = await registry.register(NAME, V1);
      const registering = registry.register(NAME, V2);
      // then
      expect(again).toEqual(v1);
      await expect(registering).rejects.toMatchObject({
        code: 'SCHEMA_REGISTRATION_DISABLED',
        message: expect.stringContaining('no version may follow v1'),
        details: expect.objectContaining({ schemaName: NAME, rule: 'REGISTRATION_DISABLED', againstVersion: 1 }),
      });
      expect(await registry.listVersions(NAME)).toEqual([v1]);
    });

    it('enforces a mode changed after creation', async () => {
      // given
      await registry.register(NAME, V1, { compatibility: 'NONE' });
      await registry.setCompatibility(NAME, 'FORWARD');
      const dropsId = definition([{ name: 'note', type: 'string', default: '' }]);
      // when
      const registering = registry.register(NAME, dropsId);
      // then
      await expect(registering).rejects.toMatchObject({ code: 'INCOMPATIBLE_SCHEMA', details: expect.objectContaining({ field: 'id', rule: 'FIELD_REMOVED_WITHOUT_DEFAULT' }) });
    });
  });
}
