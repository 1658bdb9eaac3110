/**
 * `parkOnFailure(deadLetters, target)`: catches a final failure, parks the record in the
 * dead-letter store with its error code, message and attempt count, then completes. It lives in
 * core because the pipeline runners use it; this file makes it part of the DSL.
 *
 * @example
 * ```ts
 * attempt$.pipe(retryWithBackoff(), parkOnFailure(deadLetters, { pipelineName, key, sourcePosition, record }))
 * ```
 */
export { parkOnFailure } from '../core/pipeline/parkOnFailure';
export type { ParkTarget, ParkOnFailureOptions } from '../core/pipeline/parkOnFailure';
