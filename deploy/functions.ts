/**
 * The service's functions, derived from the declared pipelines: one consumer per pipeline whose
 * `source` picks its event source (`events`: the events table's DynamoDB stream; a stream name:
 * the Kinesis stream; `subscriberQueue(...)`: its SQS queue) and whose `lambda` settings become
 * the mapping's; plus the fixed functions (the HTTP API, the dead-letter redrive, the scheduled
 * dead-letter gauge, the schema registration behind the NexusSchemas custom resource, and the
 * scheduled snapshot sweep, and the WebSocket API's function of live notifications).
 * Adding a pipeline to pipelines/index.ts adds its function; serverless.yml is not touched.
 */
import type { PipelineDefinition } from '../core/pipeline/PipelineDefinition';
import { LAMBDA_EVENT_SOURCE_DEFAULTS } from '../core/pipeline/PipelineDeployment';
import type { LambdaEventSourceOptions } from '../core/pipeline/PipelineDeployment';
import type { TopicDeclaration } from '../core/messaging/Topic';
import { subscriptionOf } from '../core/messaging/Topic';
import { queueOfSource } from '../core/streams/RecordSource';
import type { DeployedFunction, DeployedSource, FunctionKind } from './DeployedFunction';
import { functionLogicalIds, pipelineFunctionKey } from './names';

/** Where the handlers are, relative to the service root. */
const HANDLERS = 'handlers/aws/lambda';

/** A deployment that cannot be generated from the declarations; the message names the pipeline and field. */
export class DeploymentDeclarationError extends Error {
  readonly code = 'INVALID_DEPLOYMENT_DECLARATION';
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentDeclarationError';
  }
}

/** What the functions are derived from. */
export interface FunctionDeclarations {
  pipelines: readonly PipelineDefinition[];
  topics: readonly TopicDeclaration[];
  /** Stream names that exist as Kinesis streams. @defaultValue ['core'] */
  streams?: readonly string[];
}

/** Every function of the service, fixed ones first, then one per pipeline in declaration order. */
export function deployedFunctions(declarations: FunctionDeclarations): DeployedFunction[] {
  const fixed: [string, FunctionKind, string][] = [
    ['api', 'api', 'api'],
    ['redrive', 'redrive', 'redrive'],
    ['deadLetterGauge', 'deadLetterGauge', 'deadLetterGauge'],
    ['schemas', 'schemas', 'registerSchemas'],
    ['snapshotSweep', 'snapshotSweep', 'snapshotSweep'],
    ['webSocket', 'webSocket', 'webSocket'],
    ['sagaTimeouts', 'sagaTimeouts', 'sagaTimeouts'],
  ];
  const functions: DeployedFunction[] = fixed.map(([key, kind, file]) => ({ key, kind, handler: `${HANDLERS}/${file}.handler`, ...functionLogicalIds(key) }));
  const keys = new Set(functions.map((fn) => fn.key));
  for (const pipeline of declarations.pipelines) {
    const key = pipelineFunctionKey(pipeline.name);
    if (keys.has(key)) throw new DeploymentDeclarationError(`pipeline "${pipeline.name}": its function key "${key}" is taken; rename the pipeline`);
    keys.add(key);
    const source = sourceOf(pipeline, declarations);
    functions.push({
      key,
      kind: 'pipeline',
      handler: `${HANDLERS}/pipeline.handler`,
      ...functionLogicalIds(key),
      pipeline: { name: pipeline.name, source, uses: pipeline.uses ?? ['readModels'], lambda: lambdaSettings(pipeline, source, declarations.topics) },
    });
  }
  return functions;
}

function sourceOf(pipeline: PipelineDefinition, declarations: FunctionDeclarations): DeployedSource {
  const queue = queueOfSource(pipeline.source);
  if (queue !== undefined) {
    // Throws naming the queue when no topic declares it.
    subscriptionOf(declarations.topics, queue);
    return { type: 'queue', queue };
  }
  if (pipeline.source === 'events') return { type: 'events' };
  const streams = declarations.streams ?? ['core'];
  if (streams.includes(pipeline.source)) return { type: 'stream', stream: pipeline.source };
  throw new DeploymentDeclarationError(`pipeline "${pipeline.name}": source "${pipeline.source}" is neither 'events', a stream (${streams.join(', ')}) nor a subscriber queue`);
}

function lambdaSettings(pipeline: PipelineDefinition, source: DeployedSource, topics: readonly TopicDeclaration[]): Required<LambdaEventSourceOptions> {
  const declared = pipeline.lambda ?? {};
  const streamOnly: (keyof LambdaEventSourceOptions)[] = ['parallelizationFactor', 'bisectBatchOnFunctionError', 'maximumRetryAttempts', 'maximumRecordAgeSeconds', 'onFailureQueue', 'startingPosition'];
  if (source.type === 'queue') {
    const misplaced = streamOnly.filter((field) => declared[field] !== undefined);
    if (misplaced.length > 0) throw new DeploymentDeclarationError(`pipeline "${pipeline.name}": lambda.${misplaced[0]} applies to stream sources only; its source is a queue`);
  }
  if (declared.enhancedFanOut === true && source.type !== 'stream') {
    throw new DeploymentDeclarationError(`pipeline "${pipeline.name}": lambda.enhancedFanOut applies to Kinesis streams only`);
  }
  const d = LAMBDA_EVENT_SOURCE_DEFAULTS;
  const settings: Required<LambdaEventSourceOptions> = {
    batchSize: declared.batchSize ?? (source.type === 'queue' ? d.queueBatchSize : d.streamBatchSize),
    maximumBatchingWindowSeconds: declared.maximumBatchingWindowSeconds ?? d.maximumBatchingWindowSeconds,
    parallelizationFactor: declared.parallelizationFactor ?? d.parallelizationFactor,
    bisectBatchOnFunctionError: declared.bisectBatchOnFunctionError ?? d.bisectBatchOnFunctionError,
    maximumRetryAttempts: declared.maximumRetryAttempts ?? d.maximumRetryAttempts,
    maximumRecordAgeSeconds: declared.maximumRecordAgeSeconds ?? d.maximumRecordAgeSeconds,
    onFailureQueue: source.type === 'queue' ? false : (declared.onFailureQueue ?? d.onFailureQueue),
    startingPosition: declared.startingPosition ?? d.startingPosition,
    enhancedFanOut: declared.enhancedFanOut ?? d.enhancedFanOut,
    memorySize: declared.memorySize ?? d.memorySize,
    timeoutSeconds: declared.timeoutSeconds ?? d.timeoutSeconds,
  };
  if (source.type === 'queue') {
    // Lambda refuses a mapping whose queue hides a message for less than the function may run.
    const visibilitySeconds = Math.ceil(subscriptionOf(topics, source.queue).visibilityTimeoutMs / 1000);
    if (declared.timeoutSeconds === undefined) settings.timeoutSeconds = Math.min(settings.timeoutSeconds, visibilitySeconds);
    if (settings.timeoutSeconds > visibilitySeconds) {
      throw new DeploymentDeclarationError(`pipeline "${pipeline.name}": lambda.timeoutSeconds ${settings.timeoutSeconds} exceeds its queue's visibility timeout (${visibilitySeconds} s)`);
    }
    // SQS takes more than 10 messages per batch only with a batching window.
    if (settings.batchSize > 10 && settings.maximumBatchingWindowSeconds === 0) {
      throw new DeploymentDeclarationError(`pipeline "${pipeline.name}": lambda.batchSize over 10 needs lambda.maximumBatchingWindowSeconds > 0 on a queue source`);
    }
  }
  return settings;
}
