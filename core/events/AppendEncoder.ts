import type { EventEnvelope } from './EventEnvelope';
import type { AppendContext, NewEvent } from './EventStore';
import type { Logger } from '../logging/Logger';
import { isWarmEncoder } from '../schema/EventCodec';
import type { EncodedPayload, EventCodec } from '../schema/EventCodec';

/** What {@link AppendEncoder} needs besides the codec. */
export interface AppendEncoderDependencies {
  /** Read once per append: every event of an append has the same occurredAt. */
  clock: () => Date;
  newId: () => string;
  logger: Logger;
}

/** One event of an append, ready to write: its envelope and the envelope's framed bytes. */
export interface EncodedEvent {
  envelope: EventEnvelope;
  /** The Glue-framed `nexus.EventEnvelope` record: what every store keeps byte for byte. */
  record: Buffer;
}

/**
 * Turns the events of one append into envelope records, the same way for every event store:
 * validates and encodes every payload first (a refused event is logged and rethrown before any
 * envelope is built), then frames each in an envelope at versions expectedVersion + 1, + 2, ...
 * Runs before the store writes anything.
 */
export class AppendEncoder {
  constructor(
    private readonly codec: EventCodec,
    private readonly dependencies: AppendEncoderDependencies,
  ) {}

  async encode(aggregateId: string, expectedVersion: number, events: readonly NewEvent[], context: AppendContext): Promise<EncodedEvent[]> {
    const payloads: EncodedPayload[] = [];
    for (const event of events) {
      try {
        payloads.push(await this.codec.encode(event.eventType, event.payload, event.schemaVersion));
      } catch (error) {
        throw this.refused(aggregateId, event, error);
      }
    }
    const encoded: EncodedEvent[] = [];
    for (const envelope of this.envelopes(aggregateId, expectedVersion, payloads, context)) {
      encoded.push({ envelope, record: await this.codec.encodeEnvelope(envelope) });
    }
    return encoded;
  }

  /**
   * {@link encode} without a promise when the codec has every schema cached (the hot path of an
   * append); undefined when something must be loaded first, and then nothing was built.
   */
  encodeWarm(aggregateId: string, expectedVersion: number, events: readonly NewEvent[], context: AppendContext): EncodedEvent[] | undefined {
    const codec = this.codec;
    if (!isWarmEncoder(codec)) return undefined;
    const payloads: EncodedPayload[] = [];
    for (const event of events) {
      let encoded: EncodedPayload | undefined;
      try {
        encoded = codec.encodeWarm(event.eventType, event.payload, event.schemaVersion);
      } catch (error) {
        throw this.refused(aggregateId, event, error);
      }
      if (encoded === undefined) return undefined;
      payloads.push(encoded);
    }
    const encoded: EncodedEvent[] = [];
    for (const envelope of this.envelopes(aggregateId, expectedVersion, payloads, context)) {
      const record = codec.encodeEnvelopeWarm(envelope);
      if (record === undefined) return undefined;
      encoded.push({ envelope, record });
    }
    return encoded;
  }

  private envelopes(aggregateId: string, expectedVersion: number, payloads: readonly EncodedPayload[], context: AppendContext): EventEnvelope[] {
    const occurredAt = this.dependencies.clock().toISOString();
    return payloads.map((encoded, index) => ({
      eventId: this.dependencies.newId(),
      eventType: encoded.eventType,
      schemaVersion: encoded.schemaVersion,
      aggregateType: context.aggregateType,
      aggregateId,
      aggregateVersion: expectedVersion + index + 1,
      occurredAt,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      metadata: context.metadata ?? {},
      payload: encoded.bytes,
    }));
  }

  /** Logs a refused event (it is never written) and gives the error back to rethrow. */
  private refused(aggregateId: string, event: NewEvent, error: unknown): unknown {
    const details = (error as { details?: Record<string, unknown> } | null)?.details ?? {};
    this.dependencies.logger.warn('event refused before append', {
      aggregateId,
      eventType: event.eventType,
      schemaVersion: event.schemaVersion ?? details.schemaVersion,
      field: details.field,
      error,
    });
    return error;
  }
}
