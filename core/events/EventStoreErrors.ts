import { hasErrorCode, NexusError } from '../errors/NexusError';
import { EVENT_STORE_ERRORS } from './EventStore';

/** An append whose expectedVersion is not the aggregate's current version. */
export class ConcurrencyConflictError extends NexusError {
  constructor(aggregateId: string, expectedVersion: number, actualVersion: number, cause?: unknown) {
    super(
      EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT,
      `aggregate ${aggregateId} is at version ${actualVersion}, but the append expected version ${expectedVersion}`,
      { cause, details: { aggregateId, expectedVersion, actualVersion } },
    );
  }
}

/** A malformed cursor, range or limit given to a read. */
export class InvalidReadError extends NexusError {
  constructor(message: string, details: Record<string, unknown>) {
    super(EVENT_STORE_ERRORS.INVALID_READ, message, { details });
  }
}

/**
 * The storage engine failed (busy, I/O, disk full, throttled on every attempt); the operation
 * may be retried. `attempts`, when given, is how many times the store tried before giving up.
 */
export class EventStoreUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown, attempts?: number) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const tries = attempts === undefined ? '' : ` after ${attempts} attempt(s)`;
    super(EVENT_STORE_ERRORS.STORE_UNAVAILABLE, `event store ${operation} failed${tries}: ${reason}`, {
      cause,
      details: attempts === undefined ? { operation } : { operation, attempts },
    });
  }
}

/** An append larger than the store can write in one atomic operation; nothing was written. */
export class AppendTooLargeError extends NexusError {
  constructor(details: { aggregateId: string; events: number; items: number; maxItems: number; reason: string }) {
    super(
      EVENT_STORE_ERRORS.APPEND_TOO_LARGE,
      `append of ${details.events} event(s) to ${details.aggregateId} refused: ${details.reason}; split the decision into smaller commands`,
      { details },
    );
  }
}

/** True when `error` is a CONCURRENCY_CONFLICT error, from any event store. */
export function isConcurrencyConflictError(error: unknown): error is ConcurrencyConflictError {
  return hasErrorCode(error, EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT);
}
