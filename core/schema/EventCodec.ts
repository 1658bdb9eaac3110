import type { EventEnvelope } from '../events/EventEnvelope';

/** A decoded event payload with the schema it was written with. */
export interface DecodedPayload {
  /** Short event type, e.g. `OrderPlaced` (the last segment of the schema name). */
  eventType: string;
  schemaName: string;
  /** The writer's schema version. */
  schemaVersion: number;
  schemaVersionId: string;
  payload: Record<string, unknown>;
}

/** A payload encoded against its registered schema, ready to store. */
export interface EncodedPayload {
  eventType: string;
  schemaName: string;
  schemaVersion: number;
  schemaVersionId: string;
  /** Glue-framed Avro bytes. */
  bytes: Buffer;
}

/** Error codes owned by the codec. */
export const EVENT_CODEC_ERRORS = {
  /** No schema registered for this event type, or not at this version. */
  UNREGISTERED_EVENT: 'UNREGISTERED_EVENT',
  /** The payload does not match the schema; details name eventType, version and field. */
  INVALID_EVENT_PAYLOAD: 'INVALID_EVENT_PAYLOAD',
} as const;

/**
 * Validates, encodes and decodes event payloads against the schema registry, with bounded
 * caches of definition -> version id and version id -> compiled Avro type.
 */
export interface EventCodec {
  /**
   * Validates `payload` against the registered schema of `eventType` at `schemaVersion`
   * (default: latest) and returns the Glue-framed bytes. Throws `UNREGISTERED_EVENT` or
   * `INVALID_EVENT_PAYLOAD` (with `details.field`), writing nothing.
   */
  encode(eventType: string, payload: Record<string, unknown>, schemaVersion?: number): Promise<EncodedPayload>;
  /** Decodes Glue-framed bytes with the writer's schema. Throws MALFORMED_FRAME or UNKNOWN_SCHEMA_VERSION. */
  decode(bytes: Uint8Array): Promise<DecodedPayload>;
  /** Encodes a record with the envelope schema (`nexus.EventEnvelope`, latest version). */
  encodeEnvelope(envelope: EventEnvelope): Promise<Buffer>;
  /** Decodes envelope bytes. */
  decodeEnvelope(bytes: Uint8Array): Promise<EventEnvelope>;
  /** The latest registered version of `eventType`, or throws `UNREGISTERED_EVENT`. */
  latestVersion(eventType: string): Promise<number>;
}

/**
 * The synchronous sides of a codec with cached schemas (AvroEventCodec): each method answers
 * undefined when the schema must be loaded first, and throws what its async twin rejects with.
 * They let hot paths (appends, the decode operator) skip a promise per payload.
 */
export interface WarmEncoder {
  encodeWarm(eventType: string, payload: Record<string, unknown>, schemaVersion?: number): EncodedPayload | undefined;
  encodeEnvelopeWarm(envelope: EventEnvelope): Buffer | undefined;
}

/** Does `codec` offer {@link WarmEncoder}? */
export function isWarmEncoder(codec: EventCodec): codec is EventCodec & WarmEncoder {
  const candidate = codec as Partial<WarmEncoder>;
  return typeof candidate.encodeWarm === 'function' && typeof candidate.encodeEnvelopeWarm === 'function';
}

/** The decoding side of a codec with cached schemas; see {@link WarmEncoder}. */
export interface WarmDecoder {
  decodeEnvelopeWarm(bytes: Uint8Array): EventEnvelope | undefined;
  decodeWarm(bytes: Uint8Array): DecodedPayload | undefined;
}

/** Does `codec` offer {@link WarmDecoder}? */
export function isWarmDecoder(codec: EventCodec): codec is EventCodec & WarmDecoder {
  const candidate = codec as Partial<WarmDecoder>;
  return typeof candidate.decodeEnvelopeWarm === 'function' && typeof candidate.decodeWarm === 'function';
}
