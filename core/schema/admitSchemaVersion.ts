import type { Type } from 'avsc';
import type { CompatibilityMode } from './CompatibilityMode';
import { checkCompatibility, parseAvro } from './compatibility';
import { IncompatibleSchemaError, InvalidSchemaError, SchemaRegistrationDisabledError } from './SchemaRegistryErrors';

/**
 * Parses `definition` as the schema `schemaName`: throws INVALID_SCHEMA when it is not JSON, not
 * Avro, or declares another full name. Every registry runs it before anything else, so a bad
 * definition never reaches storage (SQLite) or the service (Glue).
 *
 * @example canonicalOf(parseSchemaDefinition('nexus.order.OrderPlaced', text))
 */
export function parseSchemaDefinition(schemaName: string, definition: string): Type {
  let type: Type;
  try {
    type = parseAvro(definition);
  } catch (cause) {
    throw new InvalidSchemaError(schemaName, (cause as Error).message, cause);
  }
  if (type.name !== schemaName) {
    throw new InvalidSchemaError(schemaName, `the definition declares ${type.name ?? `an unnamed ${type.typeName}`}`);
  }
  return type;
}

/**
 * Decides whether `definition` may follow `previousDefinitions` (oldest first) of `schemaName`
 * under `mode`, the one decision every registry makes before it stores a new version: returns
 * when it may; throws SCHEMA_REGISTRATION_DISABLED when the schema is DISABLED and has versions,
 * INCOMPATIBLE_SCHEMA (every violation, the first one's field and rule in details) when the mode
 * refuses it. A first version is accepted in every mode, as Glue's CreateSchema does.
 *
 * @example admitSchemaVersion('nexus.order.OrderPlaced', 'BACKWARD', v3, [v1, v2]);
 */
export function admitSchemaVersion(schemaName: string, mode: CompatibilityMode, definition: string, previousDefinitions: readonly string[]): void {
  if (mode === 'DISABLED' && previousDefinitions.length > 0) throw new SchemaRegistrationDisabledError(schemaName, previousDefinitions.length);
  const verdict = checkCompatibility(mode, definition, previousDefinitions);
  if (!verdict.compatible) throw new IncompatibleSchemaError(schemaName, mode, verdict.violations);
}
