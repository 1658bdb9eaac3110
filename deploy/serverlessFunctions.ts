/**
 * The `functions:` section of serverless.yml, from the deployed-function model: handler, own
 * role, memory, timeout, and for a pipeline its event source mapping with the declared settings
 * and partial batch responses (the runner reports only what it could not finish).
 */
import type { DeployedFunction, DeployedPipeline } from './DeployedFunction';
import { TABLE_LOGICAL_IDS } from './resources/tables';

/** Logical ids the event sources point at, owned by the resource builders. */
export interface EventSourceIds {
  /** The SQS queue of a subscriber queue, by its Nexus name. */
  queueLogicalId(queueName: string): string;
  /** The Kinesis stream of a stream name (`core` -> CoreStream). */
  streamLogicalId(streamName: string): string;
  /** The on-failure queue of a stream-sourced function. */
  failureQueueLogicalId(fn: DeployedFunction): string;
  /** The enhanced fan-out consumer of a function. */
  streamConsumerLogicalId(fn: DeployedFunction): string;
}

/** One function as serverless.yml takes it. */
export type ServerlessFunction = Record<string, unknown>;

/** The scheduled gauge's period: alarms on parked records evaluate per minute. */
const GAUGE_SCHEDULE = 'rate(1 minute)';

/**
 * The snapshot sweep's period: each run looks 3 hours back (SNAPSHOT_SWEEP_DEFAULTS.lookbackSeconds),
 * so two failed runs in a row still leave nothing unswept.
 */
export const SNAPSHOT_SWEEP_SCHEDULE = 'rate(1 hour)';

/** The saga timer's period: a step times out at most a minute after its deadline. */
export const SAGA_TIMEOUTS_SCHEDULE = 'rate(1 minute)';

/** Settings of single functions. */
export interface FunctionSettings {
  /** The API function's own environment (token verification, the continuation key). @defaultValue {} */
  apiEnvironment?: Readonly<Record<string, unknown>>;
  /** The WebSocket function's own environment (token verification, its management URL). @defaultValue {} */
  webSocketEnvironment?: Readonly<Record<string, unknown>>;
  /** What functions running a pipeline that uses `notifications` (and the redrive) add: the management URL. @defaultValue {} */
  notificationsEnvironment?: Readonly<Record<string, unknown>>;
}

/** The `functions:` object, keyed by function key. */
export function serverlessFunctions(functions: readonly DeployedFunction[], ids: EventSourceIds, settings: FunctionSettings = {}): Record<string, ServerlessFunction> {
  return Object.fromEntries(functions.map((fn) => [fn.key, serverlessFunction(fn, ids, settings)]));
}

function serverlessFunction(fn: DeployedFunction, ids: EventSourceIds, settings: FunctionSettings): ServerlessFunction {
  const base = { handler: fn.handler, role: fn.roleLogicalId };
  switch (fn.kind) {
    case 'api': {
      const environment = settings.apiEnvironment ?? {};
      // 29 s: API Gateway's integration timeout.
      return { ...base, description: 'Nexus HTTP API (commands and queries)', memorySize: 1024, timeout: 29, ...(Object.keys(environment).length > 0 ? { environment } : {}), events: [{ httpApi: '*' }] };
    }
    case 'redrive': {
      // Redriven records run through their pipeline: one that notifies needs the management URL.
      const environment = settings.notificationsEnvironment ?? {};
      return { ...base, description: 'Redrives, skips or lists parked records (invoked directly)', memorySize: 512, timeout: 300, ...(Object.keys(environment).length > 0 ? { environment } : {}) };
    }
    case 'deadLetterGauge':
      return { ...base, description: 'Publishes the parked-record count per pipeline', memorySize: 256, timeout: 60, events: [{ schedule: GAUGE_SCHEDULE }] };
    case 'schemas':
      return { ...base, description: 'Registers schemas/ in the Glue registry on deploy (custom resource NexusSchemas)', memorySize: 512, timeout: 300 };
    case 'webSocket':
      // 29 s: API Gateway's integration timeout. No events: deploy/resources/webSocketApi.ts builds the API.
      return { ...base, description: 'Nexus live notifications (WebSocket $connect, $disconnect, $default)', memorySize: 512, timeout: 29, environment: { ...settings.webSocketEnvironment } };
    case 'sagaTimeouts':
      return { ...base, description: "Fails sagas' steps past their deadline and compensates (every minute)", memorySize: 512, timeout: 60, events: [{ schedule: SAGA_TIMEOUTS_SCHEDULE }] };
    case 'snapshotSweep':
      return { ...base, description: 'Snapshots aggregates changed a day ago without a current snapshot (hourly)', memorySize: 512, timeout: 300, events: [{ schedule: SNAPSHOT_SWEEP_SCHEDULE }] };
    case 'pipeline': {
      const pipeline = required(fn.pipeline, fn.key);
      return {
        ...base,
        description: `Nexus pipeline ${pipeline.name}`,
        memorySize: pipeline.lambda.memorySize,
        timeout: pipeline.lambda.timeoutSeconds,
        environment: { NEXUS_PIPELINE: pipeline.name, ...(pipeline.uses.includes('notifications') ? settings.notificationsEnvironment : {}) },
        events: [eventSource(fn, pipeline, ids)],
      };
    }
  }
}

function eventSource(fn: DeployedFunction, pipeline: DeployedPipeline, ids: EventSourceIds): Record<string, unknown> {
  const { lambda, source } = pipeline;
  if (source.type === 'queue') {
    return {
      sqs: {
        arn: { 'Fn::GetAtt': [ids.queueLogicalId(source.queue), 'Arn'] },
        batchSize: lambda.batchSize,
        maximumBatchingWindow: lambda.maximumBatchingWindowSeconds,
        functionResponseType: 'ReportBatchItemFailures',
      },
    };
  }
  const arn = source.type === 'events' ? { 'Fn::GetAtt': [TABLE_LOGICAL_IDS.events, 'StreamArn'] } : { 'Fn::GetAtt': [ids.streamLogicalId(source.stream), 'Arn'] };
  return {
    stream: {
      type: source.type === 'events' ? 'dynamodb' : 'kinesis',
      arn,
      batchSize: lambda.batchSize,
      batchWindow: lambda.maximumBatchingWindowSeconds,
      parallelizationFactor: lambda.parallelizationFactor,
      startingPosition: lambda.startingPosition,
      maximumRetryAttempts: lambda.maximumRetryAttempts,
      maximumRecordAgeInSeconds: lambda.maximumRecordAgeSeconds,
      bisectBatchOnFunctionError: lambda.bisectBatchOnFunctionError,
      functionResponseType: 'ReportBatchItemFailures',
      ...(lambda.enhancedFanOut ? { consumer: { 'Fn::GetAtt': [ids.streamConsumerLogicalId(fn), 'ConsumerARN'] } } : {}),
      ...(lambda.onFailureQueue ? { destinations: { onFailure: { arn: { 'Fn::GetAtt': [ids.failureQueueLogicalId(fn), 'Arn'] }, type: 'sqs' } } } : {}),
    },
  };
}

function required<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new TypeError(`function ${key} of kind pipeline has no pipeline`);
  return value;
}
