/**
 * How a declared pipeline is deployed on AWS: the ports its `pipe` uses (its function's IAM role
 * grants exactly those) and the settings of its Lambda event source mapping. `serverless deploy`
 * reads them from the declaration (deploy/functions.ts); the embedded runners ignore them.
 */

/** A port of the pipeline context that needs an AWS grant. */
export type PipelinePort = 'readModels' | 'publisher' | 'topics' | 'notifications' | 'commands' | 'sagas';

/** Every port a pipeline may declare. */
export const PIPELINE_PORTS: readonly PipelinePort[] = ['readModels', 'publisher', 'topics', 'notifications', 'commands', 'sagas'];

/** Settings of a pipeline's Lambda event source mapping and function. */
export interface LambdaEventSourceOptions {
  /** Records per invocation (Kinesis/DynamoDB Streams 1-10000, SQS 1-10000 with a batching window, else 1-10). @defaultValue 100 for streams, 10 for SQS */
  batchSize?: number;
  /** Seconds Lambda gathers records before invoking (0-300). @defaultValue 0 */
  maximumBatchingWindowSeconds?: number;
  /** Concurrent batches per shard, keys still in order (1-10; streams only). @defaultValue 1 */
  parallelizationFactor?: number;
  /** Split a failing batch in two and retry the halves (streams only). @defaultValue false: the runner already isolates failing keys */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Retries of a batch that reported failures (streams only; -1 for as long as the record lives).
   * @defaultValue -1: the runner parks poison records itself, and only engine outages are reported, which must be waited out
   */
  maximumRetryAttempts?: number;
  /** A record older than this is discarded to the on-failure destination (60-604800, or -1: never). @defaultValue -1 */
  maximumRecordAgeSeconds?: number;
  /** Send the metadata of discarded batches to an SQS queue of the function (streams only). @defaultValue true */
  onFailureQueue?: boolean;
  /** Where a new mapping starts reading (streams only). @defaultValue 'TRIM_HORIZON' */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Read the Kinesis stream through a dedicated enhanced fan-out consumer (Kinesis only). @defaultValue false */
  enhancedFanOut?: boolean;
  /** Function memory in MB (128-10240). @defaultValue 1024 */
  memorySize?: number;
  /** Function timeout in seconds (1-900). @defaultValue 60 */
  timeoutSeconds?: number;
}

/** Defaults of {@link LambdaEventSourceOptions} that do not depend on the source. */
export const LAMBDA_EVENT_SOURCE_DEFAULTS = {
  streamBatchSize: 100,
  queueBatchSize: 10,
  maximumBatchingWindowSeconds: 0,
  parallelizationFactor: 1,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeSeconds: -1,
  onFailureQueue: true,
  startingPosition: 'TRIM_HORIZON',
  enhancedFanOut: false,
  memorySize: 1024,
  timeoutSeconds: 60,
} as const;

const RANGES: Partial<Record<keyof LambdaEventSourceOptions, [number, number]>> = {
  batchSize: [1, 10_000],
  maximumBatchingWindowSeconds: [0, 300],
  parallelizationFactor: [1, 10],
  maximumRetryAttempts: [-1, 10_000],
  memorySize: [128, 10_240],
  timeoutSeconds: [1, 900],
};

/**
 * Problems of a pipeline's deployment settings, each naming its field (`lambda.batchSize`, `uses[1]`);
 * empty when they can be deployed.
 */
export function deploymentProblems(uses: readonly string[] | undefined, lambda: LambdaEventSourceOptions | undefined): string[] {
  const problems: string[] = [];
  (uses ?? []).forEach((port, index) => {
    if (!PIPELINE_PORTS.includes(port as PipelinePort)) problems.push(`uses[${index}] must be one of ${PIPELINE_PORTS.join(', ')}; got "${port}"`);
  });
  if (lambda === undefined) return problems;
  for (const [field, [min, max]] of Object.entries(RANGES) as [keyof LambdaEventSourceOptions, [number, number]][]) {
    const value = lambda[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
      problems.push(`lambda.${field} must be an integer from ${min} to ${max}; got ${String(value)}`);
    }
  }
  const age = lambda.maximumRecordAgeSeconds;
  if (age !== undefined && age !== -1 && (!Number.isInteger(age) || age < 60 || age > 604_800)) {
    problems.push(`lambda.maximumRecordAgeSeconds must be -1 or an integer from 60 to 604800; got ${String(age)}`);
  }
  if (lambda.startingPosition !== undefined && lambda.startingPosition !== 'TRIM_HORIZON' && lambda.startingPosition !== 'LATEST') {
    problems.push(`lambda.startingPosition must be TRIM_HORIZON or LATEST; got "${String(lambda.startingPosition)}"`);
  }
  return problems;
}
