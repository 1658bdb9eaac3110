import type { CompatibilityMode } from './CompatibilityMode';

/** One registered version of a schema. */
export interface RegisteredSchema {
  /** Glue's SchemaVersionId: the UUID written into every frame. */
  schemaVersionId: string;
  /** Full Avro name, e.g. `nexus.order.OrderPlaced`. */
  schemaName: string;
  /** 1, 2, ... in registration order. */
  version: number;
  /**
   * The Avro schema as JSON text, as the registry holds it: the text first registered (embedded)
   * or its canonical form (Glue). Either way, the same schema as the registered definition.
   */
  definition: string;
}

/** Error codes owned by the SchemaRegistry port. */
export const SCHEMA_REGISTRY_ERRORS = {
  UNKNOWN_SCHEMA_VERSION: 'UNKNOWN_SCHEMA_VERSION',
  UNKNOWN_SCHEMA: 'UNKNOWN_SCHEMA',
  INCOMPATIBLE_SCHEMA: 'INCOMPATIBLE_SCHEMA',
  REGISTRATION_DISABLED: 'SCHEMA_REGISTRATION_DISABLED',
  INVALID_SCHEMA: 'INVALID_SCHEMA',
  /** The registry's engine could not be reached after retries (Glue throttling, network); retryable. */
  REGISTRY_UNAVAILABLE: 'SCHEMA_REGISTRY_UNAVAILABLE',
} as const;

/**
 * Stores schema versions and decides whether a new version may be registered under the
 * schema's compatibility mode. The embedded implementation is SQLite; on AWS it is Glue.
 *
 * Errors: unknown version id -> `UNKNOWN_SCHEMA_VERSION`; unknown name -> `UNKNOWN_SCHEMA`;
 * a version the mode refuses -> `INCOMPATIBLE_SCHEMA` (details: schemaName, field, rule);
 * a schema in DISABLED mode -> `SCHEMA_REGISTRATION_DISABLED`; unparsable Avro -> `INVALID_SCHEMA`.
 */
export interface SchemaRegistry {
  /**
   * Registers `definition` as the next version of `schemaName`, or returns the existing version
   * when an identical definition is already registered (idempotent). A new schema name is
   * created with `compatibility` (default BACKWARD).
   */
  register(schemaName: string, definition: string, options?: { compatibility?: CompatibilityMode }): Promise<RegisteredSchema>;
  /** The registered version whose definition equals `definition` (by Avro canonical form), if any. */
  findByDefinition(schemaName: string, definition: string): Promise<RegisteredSchema | undefined>;
  /** Looks up a version by the UUID carried in a frame. */
  getByVersionId(schemaVersionId: string): Promise<RegisteredSchema>;
  /** Looks up `schemaName` at `version`. */
  getVersion(schemaName: string, version: number): Promise<RegisteredSchema>;
  /** The highest version of `schemaName`. */
  getLatest(schemaName: string): Promise<RegisteredSchema>;
  /** Every version of `schemaName`, oldest first; empty when unknown. */
  listVersions(schemaName: string): Promise<RegisteredSchema[]>;
  /** Every registered schema name. */
  listSchemaNames(): Promise<string[]>;
  getCompatibility(schemaName: string): Promise<CompatibilityMode>;
  setCompatibility(schemaName: string, mode: CompatibilityMode): Promise<void>;
}
