import { concatMap } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { EventEnvelope } from '../core/events/EventEnvelope';
import type { RouteDestinations } from '../core/messaging/EventRouting';
import { MessagingError, MESSAGING_ERRORS } from '../core/messaging/MessagingErrors';
import { eventMessageAttributes } from '../core/messaging/QueueMessage';
import type { TopicMessage } from '../core/messaging/QueueMessage';
import type { TopicPublisher } from '../core/messaging/Topic';
import type { OutgoingRecord, SourceRecord, StreamPublisher } from '../core/streams/RecordSource';

/** What {@link route} reads of an event: the envelope (never the payload) and the record it came in. */
export interface RoutableEvent {
  envelope: Pick<EventEnvelope, 'eventId' | 'eventType' | 'aggregateType' | 'aggregateId' | 'schemaVersion' | 'correlationId'>;
  eventType: string;
  source: SourceRecord;
}

/** Where {@link route} publishes: streams (the core path) and, when wired, topics (the non-critical path). */
export interface RouteTargets {
  streams: StreamPublisher;
  topics?: TopicPublisher | undefined;
}

/**
 * Picks where an event goes: a stream name or names (streams only), {@link RouteDestinations}
 * (streams and topics), or null / nothing to drop it.
 */
export type RouteChooser<E extends RoutableEvent = RoutableEvent> = (event: E) => string | readonly string[] | RouteDestinations | null;

/** Where {@link route} published one event. */
export interface RouteOutcome {
  eventId: string;
  /** Empty when the chooser dropped the event. */
  streams: readonly string[];
  /** Present when the event went to topics. */
  topics?: readonly string[];
}

/**
 * Publishes each event's original record bytes, untouched, to the streams and topics `choose`
 * names. Streams get the source key and `deduplicationId = eventId`, so a replayed event is
 * stored once; topics get a message with the record as body, the key as group key, the event id
 * as deduplication id and the envelope's attributes (eventType, aggregateId, ...), so filters and
 * subscribers know what it is without decoding it. One event at a time, in order; the
 * destinations of one event are published to concurrently.
 *
 * @example
 * ```ts
 * records$.pipe(decodeEnvelope(ctx.codec), route({ streams: ctx.publisher, topics: ctx.topics }, (e) => routing.destinationsOf(e.eventType)))
 * ```
 *
 * Error: a chooser or publisher failure errors the output; a topic chosen without a topic
 * publisher fails with NO_TOPIC_PUBLISHER, publishing nothing for that event. A source error is
 * forwarded at once (as concatMap does); a publish in flight still lands, but its outcome is not emitted.
 * Complete: completes after the last publish.
 * Unsubscribe: unsubscribes the source; a publish already sent is not undone.
 */
export function route<E extends RoutableEvent>(targets: StreamPublisher | RouteTargets, choose: RouteChooser<E>): OperatorFunction<E, RouteOutcome> {
  const resolved: RouteTargets = 'publish' in targets ? { streams: targets } : targets;
  return concatMap((event) => publishEvent(resolved, choose, event));
}

async function publishEvent<E extends RoutableEvent>(targets: RouteTargets, choose: RouteChooser<E>, event: E): Promise<RouteOutcome> {
  const { streams, topics } = destinations(choose(event));
  const { envelope, source } = event;
  if (topics.length > 0 && !targets.topics) {
    throw new MessagingError(MESSAGING_ERRORS.NO_TOPIC_PUBLISHER, `event ${envelope.eventId} (${envelope.eventType}) is routed to ${topics.join(', ')}, but no topic publisher is wired`, {
      details: { eventId: envelope.eventId, topics },
    });
  }
  const outgoing: OutgoingRecord = { key: source.key, record: source.record, deduplicationId: envelope.eventId };
  const message: TopicMessage = { body: source.record, groupKey: source.key, deduplicationId: envelope.eventId, attributes: eventMessageAttributes(envelope) };
  await Promise.all([
    ...streams.map((stream) => targets.streams.publish(stream, [outgoing])),
    ...topics.map((topic) => (targets.topics as TopicPublisher).publish(topic, [message])),
  ]);
  return topics.length > 0 ? { eventId: envelope.eventId, streams, topics } : { eventId: envelope.eventId, streams };
}

function destinations(chosen: string | readonly string[] | RouteDestinations | null): RouteDestinations {
  if (chosen === null) return { streams: [], topics: [] };
  if (typeof chosen === 'string') return { streams: [chosen], topics: [] };
  if (isDestinations(chosen)) return chosen;
  return { streams: chosen, topics: [] };
}

function isDestinations(chosen: readonly string[] | RouteDestinations): chosen is RouteDestinations {
  return !Array.isArray(chosen);
}
