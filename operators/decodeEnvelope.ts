import { concatMap } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { EventEnvelope } from '../core/events/EventEnvelope';
import { isWarmDecoder } from '../core/schema/EventCodec';
import type { EventCodec, WarmDecoder } from '../core/schema/EventCodec';
import type { SourceRecord } from '../core/streams/RecordSource';

/** A record after {@link decodeEnvelope}: what the envelope says, the payload left as bytes unread. */
export interface EnvelopeEvent {
  envelope: Omit<EventEnvelope, 'payload'>;
  eventType: string;
  source: SourceRecord;
}

/**
 * Decodes only the envelope of Glue-framed records, never the payload: what routers need, so
 * that routing works for every payload schema version, registered upcasters or not, and costs
 * one Avro decode per record. One record at a time, in order.
 *
 * @example
 * ```ts
 * records$.pipe(decodeEnvelope(ctx.codec), route({ streams: ctx.publisher, topics: ctx.topics }, destinationsOf))
 * ```
 *
 * Error: a record whose envelope does not decode (MALFORMED_FRAME, UNKNOWN_SCHEMA_VERSION) errors
 * the output. A source error is forwarded at once (as concatMap does).
 * Complete: completes after the last record is decoded.
 * Unsubscribe: unsubscribes the source; a decode in flight is dropped.
 */
export function decodeEnvelope(codec: EventCodec): OperatorFunction<SourceRecord, EnvelopeEvent> {
  const warm = isWarmDecoder(codec) ? codec : undefined;
  // A warm codec decodes synchronously: an array is emitted at once, without a promise per record.
  return concatMap((source) => (warm && decodeWarm(warm, source)) || decodeRecord(codec, source));
}

function decodeWarm(codec: WarmDecoder, source: SourceRecord): [EnvelopeEvent] | undefined {
  const envelope = codec.decodeEnvelopeWarm(source.record);
  return envelope && [toEnvelopeEvent(envelope, source)];
}

async function decodeRecord(codec: EventCodec, source: SourceRecord): Promise<EnvelopeEvent> {
  return toEnvelopeEvent(await codec.decodeEnvelope(source.record), source);
}

function toEnvelopeEvent(withPayload: EventEnvelope, source: SourceRecord): EnvelopeEvent {
  const { payload: bytes, ...envelope } = withPayload;
  void bytes;
  return { envelope, eventType: envelope.eventType, source };
}
