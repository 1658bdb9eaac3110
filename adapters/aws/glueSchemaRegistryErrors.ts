import { hasErrorCode, NexusError } from '../../core/errors/NexusError';
import { InvalidSchemaError } from '../../core/schema/SchemaRegistryErrors';
import { SCHEMA_REGISTRY_ERRORS } from '../../core/schema/SchemaRegistry';
import { AWS_RETRIES_EXHAUSTED } from './awsCallRetry';

/** Error codes the Glue schema registry raises beside the SchemaRegistry port's own. */
export const GLUE_SCHEMA_REGISTRY_ERRORS = {
  /** The configured Glue registry does not exist (it is infrastructure: serverless.yml creates it). */
  REGISTRY_NOT_FOUND: 'GLUE_REGISTRY_NOT_FOUND',
  /** Glue ended a version in FAILURE (its own compatibility check refused it) or is deleting it. */
  VERSION_FAILED: 'GLUE_SCHEMA_VERSION_FAILED',
  /** A version stayed PENDING longer than the adapter waits. */
  VERSION_STILL_PENDING: 'GLUE_SCHEMA_VERSION_STILL_PENDING',
  /** Glue kept failing with transient faults (throttling, 5xx, sockets) through every retry. */
  UNAVAILABLE: SCHEMA_REGISTRY_ERRORS.REGISTRY_UNAVAILABLE,
  /** Any other refusal by Glue (access denied, a resource limit, ...). */
  REQUEST_FAILED: 'GLUE_REQUEST_FAILED',
} as const;

/** The registry named in the adapter's options does not exist in this account and region. */
export class GlueRegistryNotFoundError extends NexusError {
  constructor(registryName: string, cause: unknown) {
    super(GLUE_SCHEMA_REGISTRY_ERRORS.REGISTRY_NOT_FOUND, `Glue registry ${registryName} does not exist`, { cause, details: { registryName } });
  }
}

/** A schema version Glue will never make AVAILABLE: its status is FAILURE or DELETING. */
export class GlueSchemaVersionFailedError extends NexusError {
  constructor(schemaName: string, schemaVersionId: string, status: string) {
    const why = status === 'FAILURE' ? 'Glue refused it (its compatibility check failed)' : `its status is ${status}`;
    super(GLUE_SCHEMA_REGISTRY_ERRORS.VERSION_FAILED, `schema version ${schemaVersionId} of ${schemaName} is unusable: ${why}`, {
      details: { schemaName, schemaVersionId, status },
    });
  }
}

/** A schema version still PENDING after the adapter's bounded wait. */
export class GlueSchemaVersionStillPendingError extends NexusError {
  constructor(schemaName: string, schemaVersionId: string, waitedMs: number) {
    super(GLUE_SCHEMA_REGISTRY_ERRORS.VERSION_STILL_PENDING, `schema version ${schemaVersionId} of ${schemaName} is still PENDING after ${waitedMs} ms`, {
      details: { schemaName, schemaVersionId, waitedMs },
    });
  }
}

/** Glue could not be reached, or kept throttling, through every retry of `operation`. */
export class SchemaRegistryUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown) {
    super(GLUE_SCHEMA_REGISTRY_ERRORS.UNAVAILABLE, `schema registry ${operation} failed: ${(cause as Error).message}`, { cause, details: { operation } });
  }
}

/** Glue refused `operation` for a reason none of the port's errors describes. */
export class GlueRequestFailedError extends NexusError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(GLUE_SCHEMA_REGISTRY_ERRORS.REQUEST_FAILED, `Glue ${operation} failed: ${reason}`, { cause, details: { operation } });
  }
}

/** The SDK's error name (`EntityNotFoundException`, ...), if `error` has one. */
export function glueErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : undefined;
}

/**
 * A Glue failure that no call site expects, as a Nexus error (the SDK error kept as `cause`):
 * retries exhausted -> SCHEMA_REGISTRY_UNAVAILABLE; an InvalidInputException about the
 * definition of `schemaName` -> INVALID_SCHEMA (Glue validates syntax and size too); anything
 * else -> GLUE_REQUEST_FAILED.
 */
export function glueRefusal(operation: string, schemaName: string | undefined, error: unknown): Error {
  if (hasErrorCode(error, AWS_RETRIES_EXHAUSTED)) return new SchemaRegistryUnavailableError(operation, error);
  if (glueErrorName(error) === 'InvalidInputException' && schemaName !== undefined && operation !== 'GetSchema') {
    return new InvalidSchemaError(schemaName, (error as Error).message, error);
  }
  return new GlueRequestFailedError(operation, error);
}
