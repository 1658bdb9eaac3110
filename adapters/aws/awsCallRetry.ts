import { NexusError } from '../../core/errors/NexusError';
import { backoffDelayMs } from '../../core/pipeline/retryWithBackoff';

/** How {@link callWithRetry} retries a call to an AWS service. */
export interface AwsRetryOptions {
  /** Attempts in all, the first one included. @defaultValue 5 */
  maxAttempts?: number;
  /** Upper bound of the first delay; doubles with each retry (full jitter). @defaultValue 25 */
  initialBackoffMs?: number;
  /** Upper bound of any one delay. @defaultValue 1000 */
  maxBackoffMs?: number;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  random?: () => number;
  /** Called before each retry, for logs and metrics. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Defaults of {@link AwsRetryOptions}: at most 25 + 50 + 100 + 200 ms of waiting in all. */
export const AWS_RETRY_DEFAULTS: Required<Omit<AwsRetryOptions, 'onRetry'>> = {
  maxAttempts: 5,
  initialBackoffMs: 25,
  maxBackoffMs: 1_000,
  random: Math.random,
};

export const AWS_RETRIES_EXHAUSTED = 'AWS_RETRIES_EXHAUSTED';

/**
 * Every attempt of a call failed with a transient fault (throttling, 5xx, a socket error). The
 * adapter turns it into its port's "unavailable" error, which the HTTP layer answers with 503.
 */
export class AwsRetriesExhaustedError extends NexusError {
  readonly attempts: number;

  constructor(operation: string, attempts: number, cause: unknown) {
    super(AWS_RETRIES_EXHAUSTED, `${operation} failed ${attempts} time(s): ${describeAwsError(cause)}`, { cause, details: { operation, attempts } });
    this.attempts = attempts;
  }
}

/** Error names AWS uses for throttling and transient conflicts, whatever the service. */
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  // Glue: another writer changed the schema at the same moment; the next attempt sees its result.
  'ConcurrentModificationException',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSThrottlingException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Socket-level failures: the request may or may not have reached the service. */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/**
 * True for faults worth retrying: AWS throttling and transient-conflict error names, any 5xx
 * answer, and socket errors. A failed condition, a validation error or a missing resource is not.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown };
  if (typeof candidate.name === 'string' && TRANSIENT_NAMES.has(candidate.name)) return true;
  if (typeof candidate.code === 'string' && SOCKET_CODES.has(candidate.code)) return true;
  const status = candidate.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (candidate.$retryable !== undefined && candidate.$retryable !== null) return true;
  return candidate.$fault === 'server' && status === undefined;
}

/**
 * Runs `call`, retrying transient faults ({@link isTransientAwsError}) with exponential backoff
 * and full jitter, at most `maxAttempts` attempts; then {@link AwsRetriesExhaustedError}. Other
 * errors are thrown at once, unchanged. The SDK clients are built with `maxAttempts: 1` so that
 * this is the only retry loop (the SDK's own would multiply the attempts).
 */
export async function callWithRetry<T>(operation: string, call: () => Promise<T>, options: AwsRetryOptions = {}): Promise<T> {
  const settings = { ...AWS_RETRY_DEFAULTS, ...options };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientAwsError(error)) throw error;
      if (attempt >= settings.maxAttempts) throw new AwsRetriesExhaustedError(operation, attempt, error);
      const delayMs = backoffDelayMs(attempt, settings.initialBackoffMs, settings.maxBackoffMs, settings.random);
      settings.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** `Name: message` of an SDK error, for messages and logs. */
export function describeAwsError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
