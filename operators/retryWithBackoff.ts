/**
 * `retryWithBackoff(options)`: re-subscribes to the source after an error with full-jitter
 * exponential backoff, then errors with a `RetriesExhaustedError` (code `RETRIES_EXHAUSTED`,
 * `attempts`, last error as `cause`). It lives in core because the pipeline runners apply it to
 * every record; this file makes it part of the DSL.
 *
 * @example
 * ```ts
 * defer(() => callService()).pipe(retryWithBackoff({ maxAttempts: 3, initialBackoffMs: 100 }))
 * ```
 */
export {
  retryWithBackoff,
  RetriesExhaustedError,
  isRetriesExhaustedError,
  backoffDelayMs,
  RETRIES_EXHAUSTED,
  RETRY_DEFAULTS,
} from '../core/pipeline/retryWithBackoff';
export type { RetryWithBackoffOptions } from '../core/pipeline/retryWithBackoff';
