import { catchError, from, ignoreElements, tap } from 'rxjs';
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { DeadLetter, DeadLetterStore } from '../deadletter/DeadLetterStore';
import { describeFailure } from './PipelineFailure';

/** Where the record that is being processed came from. */
export interface ParkTarget {
  pipelineName: string;
  key: string;
  sourcePosition: number;
  /** Original bytes, parked untouched. */
  record: Buffer;
}

/** Options of {@link parkOnFailure}. */
export interface ParkOnFailureOptions {
  /** Called once the entry is stored. */
  onParked?: (entry: DeadLetter, error: unknown) => void;
}

/**
 * Catches a final failure, parks `target` in the dead-letter store with the error code,
 * message and attempt count (taken from a RetriesExhaustedError when there is one), then completes.
 *
 * @example
 * ```ts
 * attempt$.pipe(retryWithBackoff(), parkOnFailure(deadLetters, { pipelineName, key, sourcePosition, record }))
 * ```
 *
 * Error: a source error is parked, not rethrown; an error of the store itself is rethrown, so the
 * caller does not believe the record is safe.
 * Complete: mirrors the source; after parking, completes without emitting.
 * Unsubscribe: unsubscribes the source; a park already sent to the store is not undone.
 */
export function parkOnFailure<T>(deadLetters: DeadLetterStore, target: ParkTarget, options: ParkOnFailureOptions = {}): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => {
    const { errorCode, errorMessage, attempts } = describeFailure(error);
    const parking = deadLetters.park({ ...target, errorCode, errorMessage, attempts, parkedBehindId: null });
    return from(parking).pipe(
      tap((entry) => options.onParked?.(entry, error)),
      ignoreElements(),
    );
  });
}
