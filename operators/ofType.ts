import { filter } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';

/** A {@link PipelineEvent} whose `eventType` is narrowed to `T`. */
export type PipelineEventOf<T extends string> = PipelineEvent & { eventType: T };

/**
 * Lets through only events of the given types, narrowing `eventType` for what follows.
 *
 * @example
 * ```ts
 * events$.pipe(ofType('OrderPlaced', 'OrderCancelled'))
 * ```
 *
 * Error: has no failure of its own; source errors pass through.
 * Complete: mirrors the source.
 * Unsubscribe: unsubscribes the source.
 */
export function ofType<T extends string>(...eventTypes: readonly T[]): OperatorFunction<PipelineEvent, PipelineEventOf<T>> {
  const wanted: ReadonlySet<string> = new Set(eventTypes);
  return filter((event): event is PipelineEventOf<T> => wanted.has(event.eventType));
}
