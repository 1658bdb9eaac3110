import { hasErrorCode, NexusError } from '../errors/NexusError';

/** Error codes owned by the snapshot port and its users. */
export const SNAPSHOT_ERRORS = {
  /** An aggregate's `snapshots` declaration is invalid; details: aggregateType, field. */
  OPTIONS_INVALID: 'SNAPSHOT_OPTIONS_INVALID',
  /** The snapshot store failed (disk, network, throttling after retries); details: operation, aggregateId. */
  STORE_UNAVAILABLE: 'SNAPSHOT_STORE_UNAVAILABLE',
  /**
   * A state does not survive JSON (a Date, Map, undefined, NaN...): snapshotting it would serve
   * another state than the fold; details: aggregateType, aggregateId.
   */
  STATE_NOT_JSON: 'SNAPSHOT_STATE_NOT_JSON',
  /** The serialized state is larger than the store keeps (DynamoDB: 400 KB an item); details: aggregateId, bytes. */
  TOO_LARGE: 'SNAPSHOT_TOO_LARGE',
} as const;

/** The snapshot store could not be read or written; the engine's failure is the `cause`. */
export class SnapshotStoreUnavailableError extends NexusError {
  constructor(operation: string, aggregateId: string | undefined, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(SNAPSHOT_ERRORS.STORE_UNAVAILABLE, `snapshot ${operation}${aggregateId === undefined ? '' : ` of ${aggregateId}`} failed: ${message}`, {
      cause,
      details: { operation, ...(aggregateId === undefined ? {} : { aggregateId }) },
    });
  }
}

/** A state that JSON would change; see {@link SNAPSHOT_ERRORS}.STATE_NOT_JSON. */
export class SnapshotStateNotJsonError extends NexusError {
  constructor(aggregateType: string, aggregateId: string) {
    super(SNAPSHOT_ERRORS.STATE_NOT_JSON, `the state of ${aggregateType} ${aggregateId} does not survive JSON (Date, Map, undefined, NaN or a class instance?): not snapshotted`, {
      details: { aggregateType, aggregateId },
    });
  }
}

/** A serialized state the store cannot hold; see {@link SNAPSHOT_ERRORS}.TOO_LARGE. */
export class SnapshotTooLargeError extends NexusError {
  constructor(aggregateId: string, bytes: number, cause?: unknown) {
    super(SNAPSHOT_ERRORS.TOO_LARGE, `the snapshot of ${aggregateId} (${bytes} bytes) is larger than the store keeps`, { cause, details: { aggregateId, bytes } });
  }
}

/** True for {@link SnapshotStoreUnavailableError} (by code). */
export function isSnapshotStoreUnavailableError(error: unknown): boolean {
  return hasErrorCode(error, SNAPSHOT_ERRORS.STORE_UNAVAILABLE);
}
