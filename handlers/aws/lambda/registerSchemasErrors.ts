import { NexusError } from '../../../core/errors/NexusError';
import { formatSchemaChangeProblem } from '../../../core/schema/checkSchemaChanges';
import type { SchemaChangeProblem } from '../../../core/schema/checkSchemaChanges';

/** Error codes of the NexusSchemas custom resource, beside those of syncSchemas and the Glue registry. */
export const REGISTER_SCHEMAS_ERRORS = {
  /** The packaged schemas/ is not the one the template's SchemasHash describes. */
  PACKAGE_MISMATCH: 'SCHEMAS_PACKAGE_MISMATCH',
  /** schemas/ holds versions the registry or the compatibility modes refuse; nothing was registered. */
  BREAKING_CHANGES: 'BREAKING_SCHEMA_CHANGES',
  /** The resource's RegistryName differs from the function's NEXUS_GLUE_REGISTRY. */
  REGISTRY_NAME_MISMATCH: 'SCHEMA_REGISTRY_NAME_MISMATCH',
} as const;

/** The function was packaged with other schema files than the template was built from. */
export class SchemasPackageMismatchError extends NexusError {
  constructor(directory: string, packaged: string, requested: string) {
    super(
      REGISTER_SCHEMAS_ERRORS.PACKAGE_MISMATCH,
      `the schemas packaged in ${directory} (SchemasHash ${packaged}) are not the ones the template was built from (SchemasHash ${requested}): package and template again together`,
      { details: { field: 'SchemasHash', directory, packaged, requested } },
    );
  }
}

/** The template names one registry, the function's environment another. */
export class RegistryNameMismatchError extends NexusError {
  constructor(declared: string, configured: string) {
    super(
      REGISTER_SCHEMAS_ERRORS.REGISTRY_NAME_MISMATCH,
      `the resource's RegistryName is ${declared}, but the function registers into ${configured} (NEXUS_GLUE_REGISTRY): they must name the same registry`,
      { details: { field: 'RegistryName', declared, configured } },
    );
  }
}

/** Every breaking change of schemas/ against the registry, each with schema, version, field and rule. */
export class BreakingSchemaChangesError extends NexusError {
  constructor(registryName: string, problems: readonly SchemaChangeProblem[]) {
    super(
      REGISTER_SCHEMAS_ERRORS.BREAKING_CHANGES,
      `${problems.length} breaking schema change(s) against Glue registry ${registryName}, nothing registered: ${problems.map(formatSchemaChangeProblem).join('; ')}`,
      { details: { registryName, problems } },
    );
  }
}
