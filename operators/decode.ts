import { concatMap } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import { NexusError } from '../core/errors/NexusError';
import type { EventEnvelope } from '../core/events/EventEnvelope';
import { isWarmDecoder } from '../core/schema/EventCodec';
import type { DecodedPayload, EventCodec, WarmDecoder } from '../core/schema/EventCodec';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import type { SourceRecord } from '../core/streams/RecordSource';

export const EVENT_TYPE_MISMATCH = 'EVENT_TYPE_MISMATCH';

/**
 * Turns Glue-framed envelope records into {@link PipelineEvent}s: decodes the envelope, then its
 * payload with the writer's schema version. Records are decoded one at a time, in order.
 *
 * @example
 * ```ts
 * records$.pipe(decode(ctx.codec), ofType('OrderPlaced'))
 * ```
 *
 * A codec with cached schemas that offers {@link WarmDecoder} (AvroEventCodec does) decodes
 * synchronously, without a promise per record; otherwise each record waits for the port's promises.
 *
 * Error: a record that does not decode (MALFORMED_FRAME, UNKNOWN_SCHEMA_VERSION, or a payload
 * whose type differs from the envelope's: EVENT_TYPE_MISMATCH) errors the output. A source error
 * is forwarded at once (as concatMap does); an asynchronous decode in flight is dropped.
 * Complete: completes after the last record is decoded.
 * Unsubscribe: unsubscribes the source; a decode in flight is dropped.
 */
export function decode(codec: EventCodec): OperatorFunction<SourceRecord, PipelineEvent> {
  const warm = isWarmDecoder(codec) ? codec : undefined;
  // A warm codec decodes synchronously: an array is emitted at once, without a promise per record.
  return concatMap((source) => (warm && decodeWarm(warm, source)) || decodeRecord(codec, source));
}

function decodeWarm(codec: WarmDecoder, source: SourceRecord): [PipelineEvent] | undefined {
  const envelope = codec.decodeEnvelopeWarm(source.record);
  const decoded = envelope && codec.decodeWarm(envelope.payload);
  return envelope && decoded && [toPipelineEvent(envelope, decoded, source)];
}

async function decodeRecord(codec: EventCodec, source: SourceRecord): Promise<PipelineEvent> {
  const envelope = await codec.decodeEnvelope(source.record);
  return toPipelineEvent(envelope, await codec.decode(envelope.payload), source);
}

function toPipelineEvent(withPayload: EventEnvelope, decoded: DecodedPayload, source: SourceRecord): PipelineEvent {
  const { payload: bytes, ...envelope } = withPayload;
  void bytes;
  if (decoded.eventType !== envelope.eventType) {
    throw new NexusError(EVENT_TYPE_MISMATCH, `event ${envelope.eventId} says ${envelope.eventType} but its payload is ${decoded.eventType}`, {
      details: { eventId: envelope.eventId, envelopeType: envelope.eventType, payloadType: decoded.eventType },
    });
  }
  return { envelope, eventType: envelope.eventType, schemaVersion: decoded.schemaVersion, payload: decoded.payload, source };
}
