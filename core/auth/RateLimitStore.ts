import { NexusError } from '../errors/NexusError';

/** The count of requests in a client's current window. */
export interface RateLimitCount {
  /** Requests in the window, the one just recorded included. */
  count: number;
  /** When the window ends and the count starts again from zero. */
  resetAt: Date;
}

/** Error codes owned by the RateLimitStore port. */
export const RATE_LIMIT_STORE_ERRORS = {
  /** The storage engine failed; retryable. */
  STORE_UNAVAILABLE: 'RATE_LIMIT_STORE_UNAVAILABLE',
} as const;

/** The rate-limit store's engine failed; retryable. */
export class RateLimitStoreUnavailableError extends NexusError {
  constructor(key: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(RATE_LIMIT_STORE_ERRORS.STORE_UNAVAILABLE, `could not count a request for ${key}: ${reason}`, { cause, details: { key } });
  }
}

/**
 * Counts requests per key in fixed windows (aligned to multiples of `windowSeconds` since the
 * epoch). `hit` is atomic: concurrent hits on one key are all counted.
 */
export interface RateLimitStore {
  /** Records one request for `key` at `now` and returns the count of its window. */
  hit(key: string, windowSeconds: number, now: Date): Promise<RateLimitCount>;
}
