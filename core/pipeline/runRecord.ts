import { count, defer, of } from 'rxjs';
import type { Observable } from 'rxjs';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import type { SourceRecord } from '../streams/RecordSource';
import { retryWithBackoff } from './retryWithBackoff';
import type { RetryWithBackoffOptions } from './retryWithBackoff';

/**
 * Runs one record through `definition.pipe`, re-subscribing on failure with backoff. Emits the
 * number of outcomes of the attempt that succeeded, or errors with RetriesExhaustedError.
 */
export function runRecord(
  definition: PipelineDefinition,
  context: PipelineContext,
  record: SourceRecord,
  retry: RetryWithBackoffOptions,
): Observable<number> {
  return defer(() => definition.pipe(of(record), context)).pipe(count(), retryWithBackoff(retry));
}
