/**
 * The event store's change feed -> the core stream. Every stored event is copied, as its
 * original Glue-framed envelope bytes, to the `core` stream that projections read. Keyed by
 * aggregateId; at-least-once, and idempotent because the stream deduplicates on eventId.
 */
import { definePipeline } from '../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import { decode, route } from '../operators';

/** Name of the stream that carries core (business-critical) events. */
export const CORE_STREAM = 'core';

export default definePipeline({
  name: 'router',
  source: 'events',
  pipe: (records$, { codec, publisher }) =>
    records$.pipe(
      decode(codec),
      route(publisher, streamsFor),
    ),
});

/** Every Order event is a core event; other aggregates would route to topics here. */
function streamsFor(_event: PipelineEvent): string {
  return CORE_STREAM;
}
