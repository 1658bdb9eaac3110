/**
 * The NexusSchemas custom resource as the template declares it and the schemas function reads it:
 * one definition, so the two never drift (deploy/resources/schemaRegistry.ts, registerSchemas.ts).
 */
export const NEXUS_SCHEMAS_RESOURCE = {
  type: 'Custom::NexusSchemas',
  properties: {
    /** The Glue registry's name; must equal the function's NEXUS_GLUE_REGISTRY. */
    registryName: 'RegistryName',
    /** schemaFilesDigest of the schemas/ the function is packaged with: a new value re-runs the registration. */
    schemasHash: 'SchemasHash',
  },
} as const;
