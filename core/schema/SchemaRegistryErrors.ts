import { hasErrorCode, NexusError } from '../errors/NexusError';
import type { CompatibilityMode } from './CompatibilityMode';
import type { CompatibilityViolation } from './compatibility';
import { SCHEMA_REGISTRY_ERRORS } from './SchemaRegistry';

/** A frame or lookup names a schema version id the registry does not hold. */
export class UnknownSchemaVersionError extends NexusError {
  constructor(schemaVersionId: string, cause?: unknown) {
    super(SCHEMA_REGISTRY_ERRORS.UNKNOWN_SCHEMA_VERSION, `unknown schema version id ${schemaVersionId}`, { cause, details: { schemaVersionId } });
  }
}

/** A lookup names a schema (or a version of it) that is not registered. */
export class UnknownSchemaError extends NexusError {
  constructor(schemaName: string, version?: number, cause?: unknown) {
    const what = version === undefined ? `schema ${schemaName}` : `schema ${schemaName} v${version}`;
    super(SCHEMA_REGISTRY_ERRORS.UNKNOWN_SCHEMA, `unknown ${what}`, { cause, details: { schemaName, ...(version === undefined ? {} : { version }) } });
  }
}

/** The compatibility mode refuses a new version; details name the first offending field and rule. */
export class IncompatibleSchemaError extends NexusError {
  readonly violations: readonly CompatibilityViolation[];
  constructor(schemaName: string, mode: CompatibilityMode, violations: readonly CompatibilityViolation[]) {
    const first = violations[0];
    const summary = violations
      .map((v) => `field ${v.field}: ${v.rule} (${v.direction} against v${v.againstVersion})`)
      .join('; ');
    super(SCHEMA_REGISTRY_ERRORS.INCOMPATIBLE_SCHEMA, `${schemaName} breaks ${mode} compatibility: ${summary}`, {
      details: { schemaName, mode, field: first?.field, rule: first?.rule, againstVersion: first?.againstVersion, violations },
    });
    this.violations = violations;
  }
}

/** The schema's compatibility mode is DISABLED: it keeps the versions it has, none may follow. */
export class SchemaRegistrationDisabledError extends NexusError {
  constructor(schemaName: string, latestVersion: number) {
    const message = `${schemaName} is in DISABLED compatibility mode: no version may follow v${latestVersion}`;
    super(SCHEMA_REGISTRY_ERRORS.REGISTRATION_DISABLED, message, {
      details: { schemaName, mode: 'DISABLED', field: '(root)', rule: 'REGISTRATION_DISABLED', againstVersion: latestVersion },
    });
  }
}

/** The definition is not valid JSON or not valid Avro, or does not declare the schema name. */
export class InvalidSchemaError extends NexusError {
  constructor(schemaName: string, reason: string, cause?: unknown) {
    super(SCHEMA_REGISTRY_ERRORS.INVALID_SCHEMA, `invalid definition for ${schemaName}: ${reason}`, { cause, details: { schemaName, reason } });
  }
}

/** True when `error` is an INCOMPATIBLE_SCHEMA error. */
export function isIncompatibleSchemaError(error: unknown): error is IncompatibleSchemaError {
  return hasErrorCode(error, SCHEMA_REGISTRY_ERRORS.INCOMPATIBLE_SCHEMA);
}

/** True when `error` is an UNKNOWN_SCHEMA_VERSION error. */
export function isUnknownSchemaVersionError(error: unknown): error is UnknownSchemaVersionError {
  return hasErrorCode(error, SCHEMA_REGISTRY_ERRORS.UNKNOWN_SCHEMA_VERSION);
}
