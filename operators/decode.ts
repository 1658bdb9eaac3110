import { concatMap, Observable } from 'rxjs';
import type { OperatorFunction, Subscriber, Subscription } from 'rxjs';
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
  if (!isWarmDecoder(codec)) return concatMap((source) => decodeRecord(codec, source));
  return (records$) => new Observable<PipelineEvent>((subscriber) => decodeInOrder(codec, records$, subscriber));
}

/**
 * concatMap's contract without its inner subscription per record (an observable, a subscriber
 * and a teardown for every record of every pipeline): records queue in `waiting`; one whose
 * schemas are cached is decoded and emitted at once, one that needs the registry holds the queue
 * until its promise settles, so order holds.
 */
function decodeInOrder(codec: EventCodec & WarmDecoder, records$: Observable<SourceRecord>, subscriber: Subscriber<PipelineEvent>): Subscription {
  const waiting: SourceRecord[] = [];
  let decoding = false;
  let sourceDone = false;
  const fail = (error: unknown): void => subscriber.error(error);
  const drain = (): void => {
    while (!decoding && !subscriber.closed) {
      const source = waiting[0];
      if (source === undefined) break;
      let event: PipelineEvent | undefined;
      try {
        event = decodeWarm(codec, source);
      } catch (error) {
        fail(error);
        return;
      }
      if (event === undefined) {
        decoding = true;
        decodeRecord(codec, source).then((decoded) => {
          if (subscriber.closed) return;
          decoding = false;
          waiting.shift();
          subscriber.next(decoded);
          drain();
        }, fail);
        return;
      }
      waiting.shift();
      subscriber.next(event);
    }
    if (!decoding && waiting.length === 0 && sourceDone) subscriber.complete();
  };
  return records$.subscribe({
    next: (source) => {
      waiting.push(source);
      drain();
    },
    error: fail,
    complete: () => {
      sourceDone = true;
      drain();
    },
  });
}

function decodeWarm(codec: WarmDecoder, source: SourceRecord): PipelineEvent | undefined {
  const envelope = codec.decodeEnvelopeWarm(source.record);
  const decoded = envelope && codec.decodeWarm(envelope.payload);
  return envelope && decoded && toPipelineEvent(envelope, decoded, source);
}

async function decodeRecord(codec: EventCodec, source: SourceRecord): Promise<PipelineEvent> {
  const envelope = await codec.decodeEnvelope(source.record);
  return toPipelineEvent(envelope, await codec.decode(envelope.payload), source);
}

function toPipelineEvent(withPayload: EventEnvelope, decoded: DecodedPayload, source: SourceRecord): PipelineEvent {
  // Field by field rather than a rest spread: this runs once per record of every pipeline.
  const envelope: Omit<EventEnvelope, 'payload'> = {
    eventId: withPayload.eventId,
    eventType: withPayload.eventType,
    schemaVersion: withPayload.schemaVersion,
    aggregateType: withPayload.aggregateType,
    aggregateId: withPayload.aggregateId,
    aggregateVersion: withPayload.aggregateVersion,
    occurredAt: withPayload.occurredAt,
    correlationId: withPayload.correlationId,
    causationId: withPayload.causationId,
    metadata: withPayload.metadata,
  };
  if (decoded.eventType !== envelope.eventType) {
    throw new NexusError(EVENT_TYPE_MISMATCH, `event ${envelope.eventId} says ${envelope.eventType} but its payload is ${decoded.eventType}`, {
      details: { eventId: envelope.eventId, envelopeType: envelope.eventType, payloadType: decoded.eventType },
    });
  }
  return { envelope, eventType: envelope.eventType, schemaVersion: decoded.schemaVersion, payload: decoded.payload, source };
}
