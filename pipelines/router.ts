/**
 * The event store's change feed -> the core stream and the non-critical topic. Every stored
 * event is copied, as its original Glue-framed envelope bytes, where the routing table
 * (pipelines/routing.ts) sends its type: the `core` stream that projections read, the
 * `order-events` topic that fans out to subscriber queues, or both. Routes on the envelope
 * alone: payloads are never decoded here. Keyed by aggregateId; at-least-once, and idempotent
 * because the stream and per-key queues deduplicate on eventId.
 */
import { definePipeline } from '../core/pipeline/PipelineDefinition';
import type { RouteDestinations } from '../core/messaging/EventRouting';
import { decodeEnvelope, route } from '../operators';
import type { EnvelopeEvent } from '../operators';
import { routing } from './routing';

export { CORE_STREAM } from './routing';

export default definePipeline({
  name: 'router',
  source: 'events',
  // It writes to the core stream and the topics, never to a read model.
  uses: ['publisher', 'topics'],
  pipe: (records$, { codec, publisher, topics }) =>
    records$.pipe(
      decodeEnvelope(codec),
      route({ streams: publisher, topics }, destinationsOf),
    ),
});

/** The routing table's answer for the event's type; an undeclared type fails (then is retried and parked). */
function destinationsOf(event: EnvelopeEvent): RouteDestinations {
  return routing.destinationsOf(event.eventType);
}
