import { hasErrorCode, NexusError } from '../errors/NexusError';
import { EVENT_CODEC_ERRORS } from './EventCodec';

/** Codes raised by {@link AvroEventCodec} beyond those of the EventCodec port. */
export const AVRO_EVENT_CODEC_ERRORS = {
  ...EVENT_CODEC_ERRORS,
  /** A short event type matches several registered schema names (e.g. `a.Placed`, `b.Placed`). */
  AMBIGUOUS_EVENT_TYPE: 'AMBIGUOUS_EVENT_TYPE',
  /** The frame is well formed but its Avro datum does not decode with the writer's schema. */
  INVALID_EVENT_DATUM: 'INVALID_EVENT_DATUM',
  /** decodeEnvelope was given a frame written with another schema than the envelope's. */
  NOT_AN_ENVELOPE: 'NOT_AN_ENVELOPE',
} as const;

/** No schema is registered for the event type, or not at the requested version. */
export class UnregisteredEventError extends NexusError {
  constructor(eventType: string, schemaVersion: number | undefined, cause?: unknown) {
    const what = schemaVersion === undefined ? eventType : `${eventType} v${schemaVersion}`;
    super(EVENT_CODEC_ERRORS.UNREGISTERED_EVENT, `no registered schema for event ${what}`, { cause, details: { eventType, schemaVersion } });
  }
}

/** The payload does not match its schema. `details.field` is the dotted path of the first offending field. */
export class InvalidEventPayloadError extends NexusError {
  constructor(eventType: string, schemaVersion: number, field: string, reason: string, problems: readonly { field: string; reason: string }[]) {
    super(EVENT_CODEC_ERRORS.INVALID_EVENT_PAYLOAD, `invalid ${eventType} v${schemaVersion} payload: field ${field}: ${reason}`, {
      details: { eventType, schemaVersion, field, reason, problems },
    });
  }
}

/** A short event type names more than one registered schema. */
export class AmbiguousEventTypeError extends NexusError {
  constructor(eventType: string, schemaNames: readonly string[]) {
    super(AVRO_EVENT_CODEC_ERRORS.AMBIGUOUS_EVENT_TYPE, `event type ${eventType} matches several schemas: ${schemaNames.join(', ')}; use the full name`, {
      details: { eventType, schemaNames },
    });
  }
}

/** The datum of a frame does not decode with the schema version the frame names. */
export class InvalidEventDatumError extends NexusError {
  constructor(schemaName: string, schemaVersion: number, schemaVersionId: string, cause: unknown) {
    super(AVRO_EVENT_CODEC_ERRORS.INVALID_EVENT_DATUM, `datum does not decode as ${schemaName} v${schemaVersion} (${schemaVersionId})`, {
      cause,
      details: { schemaName, schemaVersion, schemaVersionId },
    });
  }
}

/** decodeEnvelope received a frame of another schema. */
export class NotAnEnvelopeError extends NexusError {
  constructor(expected: string, actual: string) {
    super(AVRO_EVENT_CODEC_ERRORS.NOT_AN_ENVELOPE, `expected a ${expected} frame, got ${actual}`, { details: { expected, actual } });
  }
}

/** True when `error` is an INVALID_EVENT_PAYLOAD error. */
export function isInvalidEventPayloadError(error: unknown): error is InvalidEventPayloadError {
  return hasErrorCode(error, EVENT_CODEC_ERRORS.INVALID_EVENT_PAYLOAD);
}

/** True when `error` is an UNREGISTERED_EVENT error. */
export function isUnregisteredEventError(error: unknown): error is UnregisteredEventError {
  return hasErrorCode(error, EVENT_CODEC_ERRORS.UNREGISTERED_EVENT);
}
