import { NexusError } from '../../core/errors/NexusError';
import { backoffDelayMs } from '../../core/pipeline/retryWithBackoff';
import { READ_MODEL_ERRORS } from '../../core/readmodel/ReadModelStore';
import { AWS_RETRY_DEFAULTS } from './awsCallRetry';
import type { AwsRetryOptions } from './awsCallRetry';

/**
 * The read model store could not do its work: OpenSearch kept failing transiently (refused or
 * reset connections, timeouts, 429, 5xx) for every attempt, or answered with an unexpected
 * error. `cause` is the last failure; the HTTP layer answers `READ_MODEL_UNAVAILABLE` with 503.
 */
export class ReadModelUnavailableError extends NexusError {
  readonly attempts: number;

  constructor(operation: string, attempts: number, cause: unknown) {
    super(READ_MODEL_ERRORS.STORE_UNAVAILABLE, `OpenSearch ${operation} failed after ${attempts} attempt(s): ${describeOpenSearchError(cause)}`, {
      cause,
      details: { operation, attempts },
    });
    this.attempts = attempts;
  }
}

interface ClientErrorShape {
  name?: unknown;
  meta?: { statusCode?: unknown };
}

/** The HTTP status of an OpenSearch client error, when OpenSearch answered at all. */
export function openSearchStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as ClientErrorShape).meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** OpenSearch's own error type (`version_conflict_engine_exception`, ...), when it answered with one. */
export function openSearchErrorTypeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const type = (error as { meta?: { body?: { error?: { type?: unknown } } } }).meta?.body?.error?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Errors of the client that mean the request never got an answer (the node is down or slow). */
const TRANSPORT_ERROR_NAMES = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError', 'RequestAbortedError']);

/**
 * True for faults worth retrying: no answer (connection refused or reset, timeout), 429 (a full
 * write or search queue) and any 5xx (a shard still recovering after a restart answers 503).
 */
export function isTransientOpenSearchError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as ClientErrorShape).name;
  if (typeof name === 'string' && TRANSPORT_ERROR_NAMES.has(name)) return true;
  const status = openSearchStatusOf(error);
  return status !== undefined && (status === 429 || status >= 500);
}

/**
 * Runs `call`, retrying transient faults ({@link isTransientOpenSearchError}) with exponential
 * backoff and full jitter, at most `maxAttempts` attempts. Errors `expected` accepts (a 409 version
 * conflict, a 404) are rethrown unchanged for the caller to interpret; every other failure
 * becomes a {@link ReadModelUnavailableError}. The client is built with `maxRetries: 0`, so this
 * is the only retry loop.
 */
export async function callOpenSearch<T>(operation: string, call: () => Promise<T>, options: AwsRetryOptions = {}, expected: (error: unknown) => boolean = () => false): Promise<T> {
  const settings = { ...AWS_RETRY_DEFAULTS, ...options };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (expected(error)) throw error;
      if (!isTransientOpenSearchError(error) || attempt >= settings.maxAttempts) throw new ReadModelUnavailableError(operation, attempt, error);
      const delayMs = backoffDelayMs(attempt, settings.initialBackoffMs, settings.maxBackoffMs, settings.random);
      settings.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** `Name: reason` of a client error, with OpenSearch's own error type and reason when it answered. */
export function describeOpenSearchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const body = (error as { meta?: { body?: { error?: { type?: unknown; reason?: unknown } } } }).meta?.body;
  const reason = body?.error;
  if (reason && typeof reason.type === 'string') return `${reason.type}: ${String(reason.reason)}`;
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}
