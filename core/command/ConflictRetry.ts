import { backoffDelayMs } from '../pipeline/retryWithBackoff';

/**
 * How a command sent without `expectedVersion` is retried when its append loses a race for the
 * aggregate's next version: reload, decide again, append.
 */
export interface ConflictRetryOptions {
  /** Attempts in all, the first one included; 1 turns retrying off. @defaultValue 5 */
  maxAttempts?: number;
  /** Upper bound of the first delay; doubles with each retry (full jitter). @defaultValue 5 */
  initialBackoffMs?: number;
  /** Upper bound of any one delay. @defaultValue 100 */
  maxBackoffMs?: number;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

/** Defaults of {@link ConflictRetryOptions}: at most 5 + 10 + 20 + 40 ms of waiting in all. */
export const CONFLICT_RETRY_DEFAULTS: Required<ConflictRetryOptions> = {
  maxAttempts: 5,
  initialBackoffMs: 5,
  maxBackoffMs: 100,
  random: Math.random,
};

/** Merges and checks the options once, at setup. */
export function conflictRetrySettings(options: ConflictRetryOptions = {}): Required<ConflictRetryOptions> {
  const settings = { ...CONFLICT_RETRY_DEFAULTS, ...options };
  if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1) {
    throw new RangeError(`conflictRetry.maxAttempts must be an integer >= 1, got ${settings.maxAttempts}`);
  }
  return settings;
}

/** Waits the full-jitter delay after failed attempt number `attempt` (1-based). */
export function conflictBackoff(attempt: number, settings: Required<ConflictRetryOptions>): Promise<void> {
  const delayMs = backoffDelayMs(attempt, settings.initialBackoffMs, settings.maxBackoffMs, settings.random);
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
