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
export { LambdaBatchRunner, LAMBDA_RUNNER_DEFAULTS } from './lambda/LambdaBatchRunner';
export type { LambdaRunnerOptions, LambdaRunnerDependencies, LambdaBatchResponse } from './lambda/LambdaBatchRunner';
export type { LambdaInvocation, LambdaSourceRecord, FailureReporting } from './lambda/LambdaSourceRecord';
export { EVENT_ITEM_ATTRIBUTES } from './lambda/dynamoDbStreamRecords';
export type { EventItemAttributes } from './lambda/dynamoDbStreamRecords';
export { SQS_KEY_ATTRIBUTE } from './lambda/sqsRecords';
export { compareSequenceNumbers } from './lambda/sequenceNumbers';
