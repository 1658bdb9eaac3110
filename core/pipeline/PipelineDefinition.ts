import type { Observable } from 'rxjs';
import type { EventCodec } from '../schema/EventCodec';
import type { UpcasterRegistry } from '../upcasting/UpcasterRegistry';
import type { ReadModelStore } from '../readmodel/ReadModelStore';
import type { StreamPublisher, SourceRecord } from '../streams/RecordSource';
import type { Logger } from '../logging/Logger';
import type { TopicPublisher } from '../messaging/Topic';
import type { NotificationPublisher } from '../notifications/DocumentChanged';
import type { CommandGateway } from '../saga/CommandGateway';
import type { SagaStores } from '../saga/SagaPorts';
import { deploymentProblems } from './PipelineDeployment';
import type { LambdaEventSourceOptions, PipelinePort } from './PipelineDeployment';

/** What a pipeline's `pipe` receives besides its records: the ports it may talk to. */
export interface PipelineContext {
  pipelineName: string;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  readModels: ReadModelStore;
  publisher: StreamPublisher;
  /** The topics of the non-critical path; absent where none is wired (routing to a topic then fails). */
  topics?: TopicPublisher;
  /** Where `notify` publishes "this document changed"; absent where none is wired (a rebuild's replay: it must not notify). */
  notifications?: NotificationPublisher;
  /** Sends commands through the command service, at most once per idempotency key (sagas); absent where none is wired. */
  commands?: CommandGateway;
  /** Where sagas keep their streams and deadlines; absent where none is wired. */
  sagas?: SagaStores;
  logger: Logger;
}

/** Tunables of a pipeline; the runner fills in {@link PIPELINE_DEFAULTS}. */
export interface PipelineOptions {
  /** Attempts per record before it is parked. @defaultValue 5 */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, with full jitter. @defaultValue 50 */
  initialBackoffMs?: number;
  /** Upper bound of one retry delay. @defaultValue 2000 */
  maxBackoffMs?: number;
  /** Keys processed at the same time. @defaultValue 16 */
  concurrency?: number;
  /** Records read from the source per batch. @defaultValue 500 */
  batchSize?: number;
}

export const PIPELINE_DEFAULTS: Required<PipelineOptions> = {
  maxAttempts: 5,
  initialBackoffMs: 50,
  maxBackoffMs: 2000,
  concurrency: 16,
  batchSize: 500,
};

/**
 * A declared pipeline: data plus a function from source records to outcomes. The runner owns
 * delivery: at-least-once, ordered per key, retried then parked on failure.
 */
export interface PipelineDefinition {
  name: string;
  /**
   * Source name: `events` (the event store change feed), a stream such as `core`, or a
   * subscriber queue, `subscriberQueue('order-notices')` (core/streams/RecordSource.ts).
   */
  source: string;
  /** Ordering and isolation key; default: the record's key (the aggregate id). */
  key?: (record: SourceRecord) => string;
  pipe: (records$: Observable<SourceRecord>, context: PipelineContext) => Observable<unknown>;
  options?: PipelineOptions;
  /**
   * The context ports `pipe` uses that need an AWS grant; its Lambda function's role grants
   * exactly these (and its source). @defaultValue ['readModels']
   */
  uses?: readonly PipelinePort[];
  /** Its Lambda function and event source mapping on AWS (deploy/functions.ts). */
  lambda?: LambdaEventSourceOptions;
}

/** Declares a pipeline; validates the name so that checkpoints and DLQ entries stay addressable. */
export function definePipeline(definition: PipelineDefinition): PipelineDefinition {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) {
    throw new TypeError(`pipeline name "${definition.name}" must be kebab-case (a-z, 0-9, -)`);
  }
  const problems = deploymentProblems(definition.uses, definition.lambda);
  if (problems.length > 0) throw new TypeError(`pipeline "${definition.name}": ${problems.join('; ')}`);
  return definition;
}
