import { asyncScheduler, retry, throwError, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { NexusError, hasErrorCode } from '../errors/NexusError';

export const RETRIES_EXHAUSTED = 'RETRIES_EXHAUSTED';

/** Every attempt failed. `attempts` says how many were made; `cause` is the last failure. */
export class RetriesExhaustedError extends NexusError {
  readonly attempts: number;

  constructor(attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(RETRIES_EXHAUSTED, `gave up after ${attempts} attempt(s): ${reason}`, { cause, details: { attempts } });
    this.attempts = attempts;
  }
}

/** True when `error` is a {@link RetriesExhaustedError} (checked by code, not `instanceof`). */
export function isRetriesExhaustedError(error: unknown): error is RetriesExhaustedError {
  return hasErrorCode(error, RETRIES_EXHAUSTED) && typeof (error as { attempts?: unknown }).attempts === 'number';
}

/** Options of {@link retryWithBackoff}. */
export interface RetryWithBackoffOptions {
  /** Attempts in all, the first one included. @defaultValue 5 */
  maxAttempts?: number;
  /** Upper bound of the first retry delay; doubles with each attempt. @defaultValue 50 */
  initialBackoffMs?: number;
  /** Upper bound of any one retry delay. @defaultValue 2000 */
  maxBackoffMs?: number;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  random?: () => number;
  /** Scheduler of the retry timers. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
  /** Called before each retry with the failure and the number of the attempt that failed (1-based). */
  onRetry?: (error: unknown, attempt: number) => void;
}

export const RETRY_DEFAULTS = {
  maxAttempts: 5,
  initialBackoffMs: 50,
  maxBackoffMs: 2000,
  random: Math.random,
  scheduler: asyncScheduler,
} as const satisfies RetryWithBackoffOptions;

/** Full-jitter exponential delay before retrying after failed attempt number `attempt` (1-based). */
export function backoffDelayMs(attempt: number, initialBackoffMs: number, maxBackoffMs: number, random: () => number): number {
  const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Re-subscribes to the source after an error, waiting a full-jitter exponential delay
 * (`random() * min(maxBackoffMs, initialBackoffMs * 2^(attempt-1))`) between attempts.
 *
 * @example
 * ```ts
 * defer(() => handle(record)).pipe(retryWithBackoff({ maxAttempts: 5, initialBackoffMs: 50 }))
 * ```
 *
 * Error: after `maxAttempts` failed attempts, errors with a {@link RetriesExhaustedError}
 * (code `RETRIES_EXHAUSTED`) carrying `attempts` and the last error as `cause`.
 * Complete: completes when an attempt completes; values of failed attempts have been emitted already.
 * Unsubscribe: unsubscribes the current attempt and cancels a pending retry timer.
 */
export function retryWithBackoff<T>(options: RetryWithBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const maxAttempts = options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  const initialBackoffMs = options.initialBackoffMs ?? RETRY_DEFAULTS.initialBackoffMs;
  const maxBackoffMs = options.maxBackoffMs ?? RETRY_DEFAULTS.maxBackoffMs;
  const random = options.random ?? RETRY_DEFAULTS.random;
  const scheduler = options.scheduler ?? RETRY_DEFAULTS.scheduler;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  return retry({
    delay: (error: unknown, attempt: number) => {
      if (attempt >= maxAttempts) return throwError(() => new RetriesExhaustedError(attempt, error));
      options.onRetry?.(error, attempt);
      return timer(backoffDelayMs(attempt, initialBackoffMs, maxBackoffMs, random), scheduler);
    },
  });
}
