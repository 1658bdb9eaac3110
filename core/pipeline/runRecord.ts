import { catchError, count, defer, of, throwError } from 'rxjs';
import type { Observable } from 'rxjs';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import type { SourceRecord } from '../streams/RecordSource';
import { retryWithBackoff } from './retryWithBackoff';
import type { RetryWithBackoffOptions } from './retryWithBackoff';

/**
 * Runs one record through `definition.pipe`, re-subscribing on failure with backoff. Emits the
 * number of outcomes of the attempt that succeeded, or errors with RetriesExhaustedError
 * (passed through `mapError` when given).
 */
export function runRecord(
  definition: PipelineDefinition,
  context: PipelineContext,
  record: SourceRecord,
  retry: RetryWithBackoffOptions,
  mapError?: (error: unknown) => unknown,
): Observable<number> {
  const attempts$ = defer(() => definition.pipe(of(record), context)).pipe(count(), retryWithBackoff(retry));
  return mapError ? attempts$.pipe(catchError((error: unknown) => throwError(() => mapError(error)))) : attempts$;
}
