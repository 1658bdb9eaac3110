import type { SchemaRegistry } from '../../core/schema/SchemaRegistry';

/**
 * The registry with `listSchemaNames` answered from schemas/ (the catalog `syncSchemas` has just
 * registered), every other call passed through. The codec lists schema names only to resolve a
 * short event type (`OrderPlaced`) to its schema name when it first encodes one. On Glue that
 * list is ListSchemas, which pages through the whole registry (and which moto 5.2.5 does not
 * serve); the schemas this process can write are exactly the catalog's, all registered by now.
 * Decoding is by version id, so records written with schemas outside the catalog still decode.
 */
export function catalogListedRegistry(registry: SchemaRegistry, schemaNames: readonly string[]): SchemaRegistry {
  const names = [...schemaNames];
  return {
    register: (schemaName, definition, options) => registry.register(schemaName, definition, options),
    findByDefinition: (schemaName, definition) => registry.findByDefinition(schemaName, definition),
    getByVersionId: (schemaVersionId) => registry.getByVersionId(schemaVersionId),
    getVersion: (schemaName, version) => registry.getVersion(schemaName, version),
    getLatest: (schemaName) => registry.getLatest(schemaName),
    listVersions: (schemaName) => registry.listVersions(schemaName),
    listSchemaNames: async () => [...names],
    getCompatibility: (schemaName) => registry.getCompatibility(schemaName),
    setCompatibility: (schemaName, mode) => registry.setCompatibility(schemaName, mode),
  };
}
