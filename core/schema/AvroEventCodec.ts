import { Type } from 'avsc';
import { LRUCache } from 'lru-cache';
import type { EventEnvelope } from '../events/EventEnvelope';
import { hasErrorCode } from '../errors/NexusError';
import { decodeGlueFrame, encodeGlueFrame } from '../wire/GlueWireFormat';
import type { DecodedPayload, EncodedPayload, EventCodec, WarmDecoder, WarmEncoder } from './EventCodec';
import { AmbiguousEventTypeError, InvalidEventDatumError, InvalidEventPayloadError, NotAnEnvelopeError, UnregisteredEventError } from './EventCodecErrors';
import { losslessLongRegistry } from './losslessLong';
import { findPayloadProblems } from './payloadProblems';
import { SCHEMA_REGISTRY_ERRORS } from './SchemaRegistry';
import type { RegisteredSchema, SchemaRegistry } from './SchemaRegistry';

/** Options of {@link AvroEventCodec}. */
export interface AvroEventCodecOptions {
  /** Entries per cache (compiled versions by id; versions by event type). @defaultValue 1000 */
  cacheSize?: number;
  /** How long a cached lookup is trusted; bounds how late a newly registered latest version is seen. @defaultValue 300000 */
  cacheTtlMs?: number;
  /** Compression of event payload frames (envelope frames are never compressed). @defaultValue 'none' */
  compression?: 'none' | 'zlib';
  /** Schema used by encodeEnvelope/decodeEnvelope. @defaultValue 'nexus.EventEnvelope' */
  envelopeSchemaName?: string;
  /**
   * The schema names a short event type (`OrderPlaced`) is resolved among when encoding, e.g. the
   * catalog of `schemas/`. Without it the registry is asked (`listSchemaNames`), which on Glue is
   * ListSchemas paging through the whole registry. Decoding is by version id either way.
   * @defaultValue undefined (ask the registry)
   */
  schemaNames?: readonly string[];
}

/** Defaults of {@link AvroEventCodecOptions}. */
export const AVRO_EVENT_CODEC_DEFAULTS: Required<Omit<AvroEventCodecOptions, 'schemaNames'>> & Pick<AvroEventCodecOptions, 'schemaNames'> = {
  cacheSize: 1000,
  cacheTtlMs: 300_000,
  compression: 'none',
  envelopeSchemaName: 'nexus.EventEnvelope',
};

/** A registered version with its compiled avsc type. */
interface CompiledVersion {
  registered: RegisteredSchema;
  eventType: string;
  type: Type;
}

/**
 * {@link EventCodec} over a {@link SchemaRegistry}: Avro binary in Glue wire frames.
 * Event types are short names (`OrderPlaced`) resolved to the one registered schema whose name
 * ends with them, or full schema names. Decoding keeps the writer's version (upcasters raise it
 * later). Lookups are cached in bounded LRU caches with a TTL, so a warm decode never waits on
 * the registry. An Avro `long` decodes without loss over its whole 64-bit range: a number when it
 * is a safe integer, a bigint beyond 2^53 (as Java producers write them); encode takes either.
 *
 * Errors: UNREGISTERED_EVENT, INVALID_EVENT_PAYLOAD (details: eventType, schemaVersion, field,
 * reason), AMBIGUOUS_EVENT_TYPE, MALFORMED_FRAME, UNKNOWN_SCHEMA_VERSION, INVALID_EVENT_DATUM.
 *
 * @example
 * const codec = new AvroEventCodec(registry);
 * const { bytes } = await codec.encode('OrderPlaced', payload);
 * const { payload: decoded, schemaVersion } = await codec.decode(bytes);
 */
export class AvroEventCodec implements EventCodec, WarmEncoder, WarmDecoder {
  private readonly options: typeof AVRO_EVENT_CODEC_DEFAULTS;
  private readonly byVersionId: LRUCache<string, CompiledVersion>;
  private readonly byEventVersion: LRUCache<string, CompiledVersion>;
  private readonly inflight = new Map<string, Promise<CompiledVersion>>();

  constructor(
    private readonly registry: SchemaRegistry,
    options: AvroEventCodecOptions = {},
  ) {
    this.options = { ...AVRO_EVENT_CODEC_DEFAULTS, ...options };
    const cacheOptions = { max: this.options.cacheSize, ttl: this.options.cacheTtlMs };
    this.byVersionId = new LRUCache<string, CompiledVersion>(cacheOptions);
    this.byEventVersion = new LRUCache<string, CompiledVersion>(cacheOptions);
  }

  async encode(eventType: string, payload: Record<string, unknown>, schemaVersion?: number): Promise<EncodedPayload> {
    const compiled = this.byEventVersion.get(eventKey(eventType, schemaVersion)) ?? (await this.loadEventVersion(eventType, schemaVersion));
    return this.encodeWith(compiled, payload);
  }

  /** {@link encode} without a promise when the schema is cached; undefined when it must be loaded. */
  encodeWarm(eventType: string, payload: Record<string, unknown>, schemaVersion?: number): EncodedPayload | undefined {
    const compiled = this.byEventVersion.get(eventKey(eventType, schemaVersion));
    return compiled && this.encodeWith(compiled, payload);
  }

  async decode(bytes: Uint8Array): Promise<DecodedPayload> {
    const frame = decodeGlueFrame(bytes);
    const compiled = this.byVersionId.get(frame.schemaVersionId) ?? (await this.loadVersionId(frame.schemaVersionId));
    return decodedPayload(compiled, frame.datum);
  }

  /**
   * {@link decode} without a promise when the writer's schema is cached (the warm path of a
   * pipeline); undefined when it must be loaded first. Throws what `decode` rejects with.
   */
  decodeWarm(bytes: Uint8Array): DecodedPayload | undefined {
    const frame = decodeGlueFrame(bytes);
    const compiled = this.byVersionId.get(frame.schemaVersionId);
    return compiled && decodedPayload(compiled, frame.datum);
  }

  async encodeEnvelope(envelope: EventEnvelope): Promise<Buffer> {
    const name = this.options.envelopeSchemaName;
    const compiled = this.byEventVersion.get(eventKey(name, undefined)) ?? (await this.loadEventVersion(name, undefined));
    return this.encodeEnvelopeWith(compiled, envelope);
  }

  /** {@link encodeEnvelope} without a promise when the envelope schema is cached; else undefined. */
  encodeEnvelopeWarm(envelope: EventEnvelope): Buffer | undefined {
    const compiled = this.byEventVersion.get(eventKey(this.options.envelopeSchemaName, undefined));
    return compiled && this.encodeEnvelopeWith(compiled, envelope);
  }

  async decodeEnvelope(bytes: Uint8Array): Promise<EventEnvelope> {
    const frame = decodeGlueFrame(bytes);
    const compiled = this.byVersionId.get(frame.schemaVersionId) ?? (await this.loadVersionId(frame.schemaVersionId));
    return this.envelopeOf(compiled, frame.datum);
  }

  /** {@link decodeEnvelope} without a promise when its schema is cached; else undefined. */
  decodeEnvelopeWarm(bytes: Uint8Array): EventEnvelope | undefined {
    const frame = decodeGlueFrame(bytes);
    const compiled = this.byVersionId.get(frame.schemaVersionId);
    return compiled && this.envelopeOf(compiled, frame.datum);
  }

  private encodeWith(compiled: CompiledVersion, payload: Record<string, unknown>): EncodedPayload {
    const { registered, type } = compiled;
    const problems = findPayloadProblems(type, payload);
    const first = problems[0];
    if (first !== undefined) throw new InvalidEventPayloadError(compiled.eventType, registered.version, first.field, first.reason, problems);
    return {
      eventType: compiled.eventType,
      schemaName: registered.schemaName,
      schemaVersion: registered.version,
      schemaVersionId: registered.schemaVersionId,
      bytes: encodeGlueFrame(registered.schemaVersionId, type.toBuffer(payload), this.options.compression),
    };
  }

  private encodeEnvelopeWith(compiled: CompiledVersion, envelope: EventEnvelope): Buffer {
    const problems = findPayloadProblems(compiled.type, envelope);
    const first = problems[0];
    if (first !== undefined) throw new InvalidEventPayloadError(compiled.eventType, compiled.registered.version, first.field, first.reason, problems);
    return encodeGlueFrame(compiled.registered.schemaVersionId, compiled.type.toBuffer(envelope), 'none');
  }

  private envelopeOf(compiled: CompiledVersion, datum: Buffer): EventEnvelope {
    if (compiled.registered.schemaName !== this.options.envelopeSchemaName) {
      throw new NotAnEnvelopeError(this.options.envelopeSchemaName, compiled.registered.schemaName);
    }
    const record = readDatum(compiled, datum) as EventEnvelope;
    return {
      eventId: record.eventId,
      eventType: record.eventType,
      schemaVersion: record.schemaVersion,
      aggregateType: record.aggregateType,
      aggregateId: record.aggregateId,
      aggregateVersion: record.aggregateVersion,
      occurredAt: record.occurredAt,
      correlationId: record.correlationId,
      causationId: record.causationId ?? null,
      metadata: { ...record.metadata },
      payload: record.payload,
    };
  }

  async latestVersion(eventType: string): Promise<number> {
    const compiled = this.byEventVersion.get(eventKey(eventType, undefined)) ?? (await this.loadEventVersion(eventType, undefined));
    return compiled.registered.version;
  }

  private loadVersionId(schemaVersionId: string): Promise<CompiledVersion> {
    return this.once(`id:${schemaVersionId}`, async () => this.remember(await this.registry.getByVersionId(schemaVersionId)));
  }

  private loadEventVersion(eventType: string, schemaVersion: number | undefined): Promise<CompiledVersion> {
    return this.once(`event:${eventKey(eventType, schemaVersion)}`, async () => {
      try {
        const schemaName = await this.schemaNameOf(eventType);
        const registered =
          schemaVersion === undefined ? await this.registry.getLatest(schemaName) : await this.registry.getVersion(schemaName, schemaVersion);
        const compiled = this.byVersionId.get(registered.schemaVersionId) ?? this.remember(registered);
        this.byEventVersion.set(eventKey(eventType, schemaVersion), compiled);
        return compiled;
      } catch (error) {
        if (hasErrorCode(error, SCHEMA_REGISTRY_ERRORS.UNKNOWN_SCHEMA)) throw new UnregisteredEventError(eventType, schemaVersion, error);
        throw error;
      }
    });
  }

  private async schemaNameOf(eventType: string): Promise<string> {
    if (eventType.includes('.')) return eventType;
    const names = (this.options.schemaNames ?? (await this.registry.listSchemaNames())).filter((name) => lastSegment(name) === eventType);
    if (names.length > 1) throw new AmbiguousEventTypeError(eventType, names);
    const name = names[0];
    if (name === undefined) throw new UnregisteredEventError(eventType, undefined);
    return name;
  }

  private remember(registered: RegisteredSchema): CompiledVersion {
    const type = Type.forSchema(JSON.parse(registered.definition) as Parameters<typeof Type.forSchema>[0], { registry: losslessLongRegistry() });
    const compiled: CompiledVersion = { registered, eventType: lastSegment(registered.schemaName), type };
    this.byVersionId.set(registered.schemaVersionId, compiled);
    return compiled;
  }

  /** Collapses concurrent cache misses for one key into one registry round trip. */
  private once(key: string, load: () => Promise<CompiledVersion>): Promise<CompiledVersion> {
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    const started = load().finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }
}

function decodedPayload(compiled: CompiledVersion, datum: Buffer): DecodedPayload {
  const { registered } = compiled;
  return {
    eventType: compiled.eventType,
    schemaName: registered.schemaName,
    schemaVersion: registered.version,
    schemaVersionId: registered.schemaVersionId,
    payload: readDatum(compiled, datum) as Record<string, unknown>,
  };
}

function readDatum(compiled: CompiledVersion, datum: Buffer): unknown {
  try {
    return compiled.type.fromBuffer(datum);
  } catch (cause) {
    const { schemaName, version, schemaVersionId } = compiled.registered;
    throw new InvalidEventDatumError(schemaName, version, schemaVersionId, cause);
  }
}

function eventKey(eventType: string, schemaVersion: number | undefined): string {
  return `${eventType}@${schemaVersion ?? 'latest'}`;
}

function lastSegment(schemaName: string): string {
  return schemaName.slice(schemaName.lastIndexOf('.') + 1);
}
