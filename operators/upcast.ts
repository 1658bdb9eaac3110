import { map } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import type { UpcasterRegistry } from '../core/upcasting/UpcasterRegistry';

/**
 * Raises each event's payload to the newest known shape (v1 -> v2 -> ...) with the registered
 * upcasters; events without an upcaster for their version pass through unchanged (same object).
 *
 * @example
 * ```ts
 * records$.pipe(decode(ctx.codec), upcast(ctx.upcasters))
 * ```
 *
 * Error: an upcaster that throws errors the output; source errors pass through.
 * Complete: mirrors the source.
 * Unsubscribe: unsubscribes the source.
 */
export function upcast(upcasters: UpcasterRegistry): OperatorFunction<PipelineEvent, PipelineEvent> {
  return map((event) => {
    const { schemaVersion, payload } = upcasters.upcast(event.eventType, event.schemaVersion, event.payload);
    return schemaVersion === event.schemaVersion ? event : { ...event, schemaVersion, payload };
  });
}
