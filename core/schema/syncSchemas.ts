import { errorCodeOf, NexusError } from '../errors/NexusError';
import type { Logger } from '../logging/Logger';
import { silentLogger } from '../logging/Logger';
import { canonicalSchema } from './canonicalSchema';
import type { CompatibilityMode } from './CompatibilityMode';
import type { SchemaCatalog, SchemaCatalogEntry } from './SchemaCatalog';
import { SCHEMA_REGISTRY_ERRORS } from './SchemaRegistry';
import type { RegisteredSchema, SchemaRegistry } from './SchemaRegistry';

/** Error code: a registered version differs from its file. */
export const SCHEMA_DRIFT = 'SCHEMA_DRIFT';

/** The registry holds version N of a schema with another definition than file vN. */
export class SchemaDriftError extends NexusError {
  constructor(entry: SchemaCatalogEntry, registered: RegisteredSchema | undefined, reason: string) {
    super(SCHEMA_DRIFT, `${entry.schemaName} v${entry.version} (${entry.file}): ${reason}`, {
      details: { schemaName: entry.schemaName, version: entry.version, file: entry.file, schemaVersionId: registered?.schemaVersionId },
    });
  }
}

/** A file's new version is refused by the schema's compatibility mode; names schema, version, file, field and rule. */
export class IncompatibleSchemaFileError extends NexusError {
  constructor(entry: SchemaCatalogEntry, cause: unknown) {
    const details = (cause as { details?: Record<string, unknown> }).details ?? {};
    const code = errorCodeOf(cause) ?? SCHEMA_REGISTRY_ERRORS.INCOMPATIBLE_SCHEMA;
    super(code, `${entry.schemaName} v${entry.version} (${entry.file}) cannot be registered: ${(cause as Error).message}`, {
      cause,
      details: { ...details, schemaName: entry.schemaName, version: entry.version, file: entry.file },
    });
  }
}

/** What {@link syncSchemas} did. */
export interface SchemaSyncResult {
  /** Versions registered by this call. */
  registered: RegisteredSchema[];
  /** Versions that were already registered with the same definition. */
  unchanged: number;
}

/**
 * Registers every version of the catalog, in order, and applies each schema's compatibility
 * mode from the catalog. Idempotent: versions already registered with the same definition are
 * left alone. A DISABLED schema keeps the versions the registry holds (a new version is refused);
 * when the registry does not hold it yet (or holds it under NONE, as a replay interrupted by a
 * crash leaves it), its files are registered as its history and the schema is then frozen. Fails with SCHEMA_DRIFT when the registry holds version N with another definition
 * than file vN (or a file repeats an earlier version), and with INCOMPATIBLE_SCHEMA or
 * SCHEMA_REGISTRATION_DISABLED when the mode refuses a new version. Registry versions beyond
 * the files are kept and logged as a warning.
 *
 * @example await syncSchemas(registry, loadSchemaCatalog('schemas'), logger)
 */
export async function syncSchemas(registry: SchemaRegistry, catalog: SchemaCatalog, logger: Logger = silentLogger): Promise<SchemaSyncResult> {
  const result: SchemaSyncResult = { registered: [], unchanged: 0 };
  for (const schemaName of catalog.schemaNames()) {
    // A registered schema always has a version (both registries create it with its first), so
    // versions tell whether it exists: no listing of every schema (Glue's ListSchemas pages through
    // the whole registry, and moto 5.2.5 does not serve it).
    const existing = await registry.listVersions(schemaName);
    const registeredMode = existing.length > 0 ? await registry.getCompatibility(schemaName) : undefined;
    const catalogMode = catalog.compatibilityOf(schemaName);
    const replaying = catalogMode === 'DISABLED' && (registeredMode === undefined || registeredMode === 'NONE');
    // A frozen schema new to this registry brings its files as its history: they are registered
    // under NONE, then the schema is frozen. A replay cut short by a crash leaves it NONE, so the
    // next start resumes it instead of refusing v2.
    const mode = replaying ? 'NONE' : catalogMode;
    if (registeredMode !== undefined && registeredMode !== mode) {
      await registry.setCompatibility(schemaName, mode);
      logger.info('schema compatibility mode updated', { schemaName, mode });
    }
    for (const entry of catalog.versionsOf(schemaName)) {
      const current = existing[entry.version - 1];
      if (current !== undefined) {
        if (canonicalSchema(current.definition) !== canonicalSchema(entry.definition)) {
          throw new SchemaDriftError(entry, current, `the registered definition (${current.schemaVersionId}) differs from the file`);
        }
        result.unchanged++;
        continue;
      }
      const registered = await registerEntry(registry, entry, mode);
      result.registered.push(registered);
      logger.info('schema version registered', { schemaName, version: registered.version, schemaVersionId: registered.schemaVersionId });
    }
    if (replaying) {
      await registry.setCompatibility(schemaName, 'DISABLED');
      logger.info('schema compatibility mode updated', { schemaName, mode: 'DISABLED' });
    }
    if (existing.length > catalog.versionsOf(schemaName).length) {
      logger.warn('registry holds schema versions that have no file', { schemaName, registeredVersions: existing.length });
    }
  }
  return result;
}

async function registerEntry(registry: SchemaRegistry, entry: SchemaCatalogEntry, mode: CompatibilityMode): Promise<RegisteredSchema> {
  let registered: RegisteredSchema;
  try {
    registered = await registry.register(entry.schemaName, entry.definition, { compatibility: mode });
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === SCHEMA_REGISTRY_ERRORS.INCOMPATIBLE_SCHEMA || code === SCHEMA_REGISTRY_ERRORS.REGISTRATION_DISABLED) {
      throw new IncompatibleSchemaFileError(entry, error);
    }
    throw error;
  }
  if (registered.version !== entry.version) {
    throw new SchemaDriftError(entry, registered, `the definition is identical to registered v${registered.version}; a new version must change something`);
  }
  return registered;
}
