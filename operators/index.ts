export { decode, EVENT_TYPE_MISMATCH } from './decode';
export { upcast } from './upcast';
export { ofType } from './ofType';
export type { PipelineEventOf } from './ofType';
export { project } from './project';
export type { ProjectionReducer, ProjectionOutcome } from './project';
export { route } from './route';
export type { RouteChooser, RouteOutcome } from './route';
export {
  retryWithBackoff,
  RetriesExhaustedError,
  isRetriesExhaustedError,
  backoffDelayMs,
  RETRIES_EXHAUSTED,
  RETRY_DEFAULTS,
} from './retryWithBackoff';
export type { RetryWithBackoffOptions } from './retryWithBackoff';
export { parkOnFailure } from './parkOnFailure';
export type { ParkTarget, ParkOnFailureOptions } from './parkOnFailure';
