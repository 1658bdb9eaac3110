export { decode, EVENT_TYPE_MISMATCH } from './decode';
export { decodeEnvelope } from './decodeEnvelope';
export type { EnvelopeEvent } from './decodeEnvelope';
export { upcast } from './upcast';
export { ofType } from './ofType';
export type { PipelineEventOf } from './ofType';
export { project } from './project';
export type { ProjectionReducer, ProjectionOutcome } from './project';
export { notify } from './notify';
export { route } from './route';
export type { RouteChooser, RouteOutcome, RouteTargets, RoutableEvent } from './route';
// The failure-handling operators live in core because the pipeline runners apply them to every
// record; they are re-exported here as part of the DSL. Their error class and defaults stay in core.
export { retryWithBackoff, RetriesExhaustedError, RETRIES_EXHAUSTED, backoffDelayMs } from '../core/pipeline/retryWithBackoff';
export type { RetryWithBackoffOptions } from '../core/pipeline/retryWithBackoff';
export { parkOnFailure } from '../core/pipeline/parkOnFailure';
export type { ParkTarget, ParkOnFailureOptions } from '../core/pipeline/parkOnFailure';
