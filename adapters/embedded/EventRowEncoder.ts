import type { EventEnvelope } from '../../core/events/EventEnvelope';
import type { AppendContext, NewEvent } from '../../core/events/EventStore';
import type { Logger } from '../../core/logging/Logger';
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
    for (const event of events) payloads.push(await this.encodePayload(aggregateId, event));
    const occurredAt = this.dependencies.clock().toISOString();
    const rows: EventRow[] = [];
    for (const [index, encoded] of payloads.entries()) {
      const envelope: EventEnvelope = {
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
      };
      rows.push({
        event_id: envelope.eventId,
        aggregate_id: aggregateId,
        aggregate_type: envelope.aggregateType,
        aggregate_version: envelope.aggregateVersion,
        event_type: envelope.eventType,
        schema_version: envelope.schemaVersion,
        occurred_at: occurredAt,
        correlation_id: envelope.correlationId,
        record: await this.codec.encodeEnvelope(envelope),
      });
    }
    return rows;
  }

  private async encodePayload(aggregateId: string, event: NewEvent): Promise<EncodedPayload> {
    try {
      return await this.codec.encode(event.eventType, event.payload, event.schemaVersion);
    } catch (error) {
      const details = (error as { details?: Record<string, unknown> } | null)?.details ?? {};
      this.dependencies.logger.warn('event refused before append', {
        aggregateId,
        eventType: event.eventType,
        schemaVersion: event.schemaVersion ?? details.schemaVersion,
        field: details.field,
        error,
      });
      throw error;
    }
  }
}
