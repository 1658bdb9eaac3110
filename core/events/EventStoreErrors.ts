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

/** The storage engine failed (busy, I/O, disk full); the operation may be retried. */
export class EventStoreUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(EVENT_STORE_ERRORS.STORE_UNAVAILABLE, `event store ${operation} failed: ${reason}`, { cause, details: { operation } });
  }
}

/** True when `error` is a CONCURRENCY_CONFLICT error, from any event store. */
export function isConcurrencyConflictError(error: unknown): error is ConcurrencyConflictError {
  return hasErrorCode(error, EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT);
}
