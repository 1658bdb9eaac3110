import { AppendEncoder } from '../../core/events/AppendEncoder';
import type { AppendEncoderDependencies, EncodedEvent } from '../../core/events/AppendEncoder';
import type { AppendContext, NewEvent } from '../../core/events/EventStore';
import type { EventCodec } from '../../core/schema/EventCodec';
import type { EventRow } from './SqliteEventsTable';

/** What {@link EventRowEncoder} needs besides the codec. */
export type EventRowEncoderDependencies = AppendEncoderDependencies;

/**
 * Turns the events of one append into `events` rows through core's {@link AppendEncoder} (the
 * same validation and envelope bytes as every other store). Runs before the transaction, so
 * the write lock is held only for the inserts.
 */
export class EventRowEncoder {
  private readonly encoder: AppendEncoder;

  constructor(codec: EventCodec, dependencies: EventRowEncoderDependencies) {
    this.encoder = new AppendEncoder(codec, dependencies);
  }

  async encode(aggregateId: string, expectedVersion: number, events: readonly NewEvent[], context: AppendContext): Promise<EventRow[]> {
    return (await this.encoder.encode(aggregateId, expectedVersion, events, context)).map(toRow);
  }

  /** {@link encode} without a promise when the codec has every schema cached; see AppendEncoder.encodeWarm. */
  encodeWarm(aggregateId: string, expectedVersion: number, events: readonly NewEvent[], context: AppendContext): EventRow[] | undefined {
    return this.encoder.encodeWarm(aggregateId, expectedVersion, events, context)?.map(toRow);
  }
}

function toRow({ envelope, record }: EncodedEvent): EventRow {
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
