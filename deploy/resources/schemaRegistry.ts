/**
 * The Glue registry and the NexusSchemas custom resource that fills it on deploy. The custom
 * resource runs the schemas function (handlers/aws/lambda/registerSchemas.ts) whenever the
 * registry or the schema files change; every other function depends on it, so a breaking schema
 * fails the deploy before any function changes.
 */
import { schemaFilesDigest } from '../../core/schema/schemaFilesDigest';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import { NEXUS_SCHEMAS_RESOURCE } from '../../handlers/aws/lambda/nexusSchemasResource';

/** Logical ids of the registry's resources. */
export const SCHEMA_REGISTRY_IDS = {
  registry: 'SchemaRegistry',
  schemas: 'NexusSchemas',
  /** The function behind the custom resource (function key `schemas`). */
  schemasFunction: 'SchemasLambdaFunction',
} as const;

/** How long CloudFormation waits for the schemas function's answer: its 300 s timeout and slack. */
export const SCHEMAS_SERVICE_TIMEOUT_SECONDS = 600;

/** What the registry's resources depend on. */
export interface SchemaRegistrySettings {
  stage: string;
  /** The schemas/ directory the schemas function is packaged with. */
  schemasDir: string;
}

/**
 * `SchemaRegistry` (AWS::Glue::Registry `nexus-<stage>-schemas`, retained when the stack goes:
 * stored events are read with its versions) and `NexusSchemas` (Custom::NexusSchemas, whose
 * SchemasHash property is the digest of the schema files, so adding or changing one re-runs the
 * registration).
 */
export function schemaRegistryResources(settings: SchemaRegistrySettings): Record<string, Record<string, unknown>> {
  const { registry, schemas, schemasFunction } = SCHEMA_REGISTRY_IDS;
  return {
    [registry]: {
      Type: 'AWS::Glue::Registry',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Name: awsResourceNames(settings.stage).glueRegistry,
        Description: `Nexus event schemas (${settings.stage}); versions are registered by the ${schemas} custom resource`,
      },
    },
    [schemas]: {
      Type: NEXUS_SCHEMAS_RESOURCE.type,
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [schemasFunction, 'Arn'] },
        // The handler always answers, but a function that cannot start (a broken bundle, out of
        // memory) cannot: CloudFormation then fails the resource after this, not after an hour.
        ServiceTimeout: SCHEMAS_SERVICE_TIMEOUT_SECONDS,
        // AWS::Glue::Registry's Ref is its ARN; the name is read from it. The Ref also orders the
        // registry first (an explicit DependsOn would be redundant: cfn-lint W3005).
        [NEXUS_SCHEMAS_RESOURCE.properties.registryName]: { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: registry }] }] },
        [NEXUS_SCHEMAS_RESOURCE.properties.schemasHash]: schemaFilesDigest(settings.schemasDir),
      },
    },
  };
}
