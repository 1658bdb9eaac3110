import { NexusError } from '../../core/errors/NexusError';

/**
 * Runs `operation`; a failure that is not already a NexusError (SQLite's own, or the disk's)
 * becomes one with `code`, the message prefixed with `what` failed, the original as the cause.
 */
export function sqliteFailureAs<R>(code: string, what: string, operation: () => R): R {
  try {
    return operation();
  } catch (error) {
    if (error instanceof NexusError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new NexusError(code, `${what} failed: ${message}`, { cause: error });
  }
}
