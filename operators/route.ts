import { concatMap } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import type { OutgoingRecord, StreamPublisher } from '../core/streams/RecordSource';

/** Picks the stream(s) an event goes to; null (or an empty list) drops it. */
export type RouteChooser = (event: PipelineEvent) => string | readonly string[] | null;

/** Where {@link route} published one event. */
export interface RouteOutcome {
  eventId: string;
  /** Empty when the chooser dropped the event. */
  streams: readonly string[];
}

/**
 * Publishes each event's original record bytes, untouched, to the stream(s) `choose` names,
 * with the source key and `deduplicationId = eventId`, so a replayed event is stored once.
 * One event at a time, in order; the streams of one event are published to concurrently.
 *
 * @example
 * ```ts
 * events$.pipe(route(ctx.publisher, (e) => (CORE_EVENTS.has(e.eventType) ? 'core' : 'notifications')))
 * ```
 *
 * Error: a chooser or publisher failure errors the output. A source error is forwarded at once
 * (as concatMap does); a publish in flight still lands, but its outcome is not emitted.
 * Complete: completes after the last publish.
 * Unsubscribe: unsubscribes the source; a publish already sent is not undone.
 */
export function route(publisher: StreamPublisher, choose: RouteChooser): OperatorFunction<PipelineEvent, RouteOutcome> {
  return concatMap((event) => publishEvent(publisher, choose, event));
}

async function publishEvent(publisher: StreamPublisher, choose: RouteChooser, event: PipelineEvent): Promise<RouteOutcome> {
  const chosen = choose(event);
  const streams: readonly string[] = chosen === null ? [] : typeof chosen === 'string' ? [chosen] : chosen;
  const outgoing: OutgoingRecord = { key: event.source.key, record: event.source.record, deduplicationId: event.envelope.eventId };
  await Promise.all(streams.map((stream) => publisher.publish(stream, [outgoing])));
  return { eventId: event.envelope.eventId, streams };
}
