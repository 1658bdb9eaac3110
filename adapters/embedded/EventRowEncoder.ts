import type { EventEnvelope } from '../../core/events/EventEnvelope';
import type { AppendContext, NewEvent } from '../../core/events/EventStore';
import type { Logger } from '../../core/logging/Logger';
import { isWarmEncoder } from '../../core/schema/EventCodec';
import type { EncodedPayload, EventCodec } from '../../core/schema/EventCodec';
import type { EventRow } from './SqliteEventsTable';

/** What {@link EventRowEncoder} needs besides the codec. */
export interface EventRowEncoderDependencies {
  clock: () => Date;
  newId: () => string;
  logger: Logger;
}

/**
 * Turns the events of one append into `events` rows: validates and encodes every payload first
 * (a refused event is logged and rethrown before any envelope is built), then frames each in an
 * envelope. Runs before the transaction, so the write lock is held only for the inserts.
 */
export class EventRowEncoder {
  constructor(
    private readonly codec: EventCodec,
    private readonly dependencies: EventRowEncoderDependencies,
  ) {}

  async encode(aggregateId: string, expectedVersion: number, events: readonly NewEvent[], context: AppendContext): Promise<EventRow[]> {
    const payloads: EncodedPayload[] = [];
    for (const event of events) {
      try {
        payloads.push(await this.codec.encode(event.eventType, event.payload, event.schemaVersion));
      } catch (error) {
        throw this.refused(aggregateId, event, error);
      }
    }
    const envelopes = this.envelopes(aggregateId, expectedVersion, payloads, context);
    const rows: EventRow[] = [];
    for (const envelope of envelopes) rows.push(toRow(envelope, await this.codec.encodeEnvelope(envelope)));
    return rows;
  }

  /**
   * {@link encode} without a promise when the codec has every schema cached (the hot path of an
   * append); undefined when something must be loaded first, and then nothing was built.
   */
  encodeWarm(aggregateId: string, expectedVersion: number, events: readonly NewEvent[], context: AppendContext): EventRow[] | undefined {
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
    const rows: EventRow[] = [];
    for (const envelope of this.envelopes(aggregateId, expectedVersion, payloads, context)) {
      const record = codec.encodeEnvelopeWarm(envelope);
      if (record === undefined) return undefined;
      rows.push(toRow(envelope, record));
    }
    return rows;
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

function toRow(envelope: EventEnvelope, record: Buffer): EventRow {
  return {
    event_id: envelope.eventId,
    aggregate_id: envelope.aggregateId,
    aggregate_type: envelope.aggregateType,
    aggregate_version: envelope.aggregateVersion,
    event_type: envelope.eventType,
    schema_version: envelope.schemaVersion,
    occurred_at: envelope.occurredAt,
    correlation_id: envelope.correlationId,
    record,
  };
}
