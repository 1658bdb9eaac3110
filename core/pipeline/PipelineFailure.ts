import { errorCodeOf } from '../errors/NexusError';
import { isRetriesExhaustedError } from './retryWithBackoff';

/** Error code stored for failures that carry no code of their own. */
export const UNCODED_PIPELINE_ERROR = 'PIPELINE_ERROR';
/** Error code of records parked only because an earlier record of their key is parked. */
export const PARKED_BEHIND = 'PARKED_BEHIND';

/** How a failed record is described in the dead-letter store. */
export interface PipelineFailure {
  errorCode: string;
  errorMessage: string;
  /** Attempts made: from a {@link RetriesExhaustedError}, else 1. */
  attempts: number;
  /** The underlying failure (unwrapped from RetriesExhaustedError). */
  cause: unknown;
}

/** Unwraps a final pipeline failure into what the dead-letter store keeps. */
export function describeFailure(error: unknown): PipelineFailure {
  const exhausted = isRetriesExhaustedError(error);
  const cause = exhausted ? error.cause : error;
  const errorMessage = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return {
    errorCode: errorCodeOf(cause) ?? UNCODED_PIPELINE_ERROR,
    errorMessage,
    attempts: exhausted ? error.attempts : 1,
    cause,
  };
}
