export { definePipeline, PIPELINE_DEFAULTS } from './PipelineDefinition';
export type { PipelineContext, PipelineDefinition, PipelineOptions } from './PipelineDefinition';
export type { PipelineEvent } from './PipelineEvent';
export { EmbeddedPipelineRunner, RUNNER_DEFAULTS, RUNNER_ERRORS } from './EmbeddedPipelineRunner';
export type { RunnerOptions, RunnerDependencies, HeadAwareRecordSource } from './EmbeddedPipelineRunner';
export { LATENCY_WINDOW } from './PipelineMetrics';
export type { PipelineMetrics } from './PipelineMetrics';
export { redriveDeadLetters, skipDeadLetter, REDRIVE_ERRORS } from './redriveDeadLetters';
export type { RedriveSelection, RedriveOptions, RedriveDependencies, RedriveFailure, RedriveSummary } from './redriveDeadLetters';
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
export { describeFailure, PARKED_BEHIND, UNCODED_PIPELINE_ERROR } from './PipelineFailure';
export type { PipelineFailure } from './PipelineFailure';
