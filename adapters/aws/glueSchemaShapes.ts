import { Compatibility } from '@aws-sdk/client-glue';
import type { GetSchemaResponse, GetSchemaVersionResponse } from '@aws-sdk/client-glue';
import { canonicalSchema } from '../../core/schema/canonicalSchema';
import { DEFAULT_COMPATIBILITY_MODE, isCompatibilityMode } from '../../core/schema/CompatibilityMode';
import type { CompatibilityMode } from '../../core/schema/CompatibilityMode';
import type { RegisteredSchema } from '../../core/schema/SchemaRegistry';
import { GlueRequestFailedError } from './glueSchemaRegistryErrors';

/**
 * The text Glue stores and GetSchemaByDefinition matches: the definition's JSON with sorted keys
 * and no whitespace. Layout never makes a new version, and unlike `canonicalSchema` (avsc's
 * export drops logicalType, enum defaults and custom attributes) nothing is lost for other
 * Glue consumers. Definitions that differ otherwise (a namespace spelled out in the name) are
 * matched by canonical form against the versions before anything is registered.
 *
 * @example glueDefinitionText('{ "type": "record", "name": "A", "fields": [] }') // '{"fields":[],"name":"A","type":"record"}'
 */
export function glueDefinitionText(definition: string): string {
  return JSON.stringify(JSON.parse(definition), (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** Whether a stored definition is the schema whose canonical form is `canonical` (a definition avsc cannot read is not). */
export function isSameSchema(canonical: string, definition: string): boolean {
  try {
    return canonicalSchema(definition) === canonical;
  } catch {
    return false;
  }
}

/** Nexus's modes are Glue's, name for name; the map makes the compiler say so. */
export const GLUE_COMPATIBILITY: Readonly<Record<CompatibilityMode, Compatibility>> = {
  NONE: Compatibility.NONE,
  DISABLED: Compatibility.DISABLED,
  BACKWARD: Compatibility.BACKWARD,
  BACKWARD_ALL: Compatibility.BACKWARD_ALL,
  FORWARD: Compatibility.FORWARD,
  FORWARD_ALL: Compatibility.FORWARD_ALL,
  FULL: Compatibility.FULL,
  FULL_ALL: Compatibility.FULL_ALL,
};

/** A schema's mode as Glue reports it (BACKWARD, Glue's default, when it reports none). */
export function compatibilityModeOf(schema: GetSchemaResponse): CompatibilityMode {
  return isCompatibilityMode(schema.Compatibility) ? schema.Compatibility : DEFAULT_COMPATIBILITY_MODE;
}

/** A GetSchemaVersion answer as the port's RegisteredSchema (the name taken from the schema ARN). */
export function registeredSchemaOf(answer: GetSchemaVersionResponse): RegisteredSchema {
  const { SchemaVersionId: id, SchemaDefinition: definition, VersionNumber: version } = answer;
  if (id === undefined || definition === undefined || version === undefined) {
    throw new GlueRequestFailedError('GetSchemaVersion', new Error('Glue answered a schema version without its id, definition or number'));
  }
  return { schemaVersionId: id.toLowerCase(), schemaName: schemaNameOf(answer), version, definition };
}

/** `arn:aws:glue:<region>:<account>:schema/<registry>/<schema>` -> `<schema>`. */
export function schemaNameOf(answer: GetSchemaVersionResponse): string {
  const arn = answer.SchemaArn ?? '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}
