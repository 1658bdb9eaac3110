import { NexusError } from '../errors/NexusError';
import { DEAD_LETTER_ERRORS } from './DeadLetterStore';

/** A dead letter that does not exist. */
export class DeadLetterNotFoundError extends NexusError {
  constructor(id: number) {
    super(DEAD_LETTER_ERRORS.NOT_FOUND, `dead letter ${id} does not exist`, { details: { id } });
  }
}

/** A dead letter that was already redriven or skipped. */
export class DeadLetterNotParkedError extends NexusError {
  constructor(id: number, status: string) {
    super(DEAD_LETTER_ERRORS.NOT_PARKED, `dead letter ${id} is ${status}, not parked`, { details: { id, status } });
  }
}

/** A record (with its error) larger than the store can keep; nothing was parked. */
export class DeadLetterTooLargeError extends NexusError {
  constructor(pipelineName: string, key: string, bytes: number, maxBytes: number) {
    super(DEAD_LETTER_ERRORS.TOO_LARGE, `a record of key ${key} in pipeline ${pipelineName} needs ${bytes} bytes to park; the store keeps at most ${maxBytes}`, {
      details: { pipelineName, key, bytes, maxBytes },
    });
  }
}

/** The dead-letter store's engine failed. */
export class DeadLetterStoreUnavailableError extends NexusError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(DEAD_LETTER_ERRORS.UNAVAILABLE, `dead-letter store ${operation} failed: ${reason}`, { cause, details: { operation } });
  }
}
