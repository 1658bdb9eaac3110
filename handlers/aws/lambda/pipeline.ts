/**
 * One consumer function per declared pipeline: NEXUS_PIPELINE names it among pipelines/index.ts.
 * Lambda's event source mapping delivers its batches (the events table's stream, the Kinesis core
 * stream or its SQS subscriber queue); the {@link LambdaBatchRunner} processes each and answers
 * with a partial batch response. Per invocation: RecordsIn, RecordsOut, RecordsFailed,
 * RecordsParked and PipelineLag, with the dimension `pipeline`.
 */
import type { Context, DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { NexusError } from '../../../core/errors/NexusError';
import { LambdaBatchRunner } from '../../../core/pipeline/lambda/LambdaBatchRunner';
import type { LambdaBatchResponse } from '../../../core/pipeline/lambda/LambdaBatchRunner';
import type { PipelineDefinition } from '../../../core/pipeline/PipelineDefinition';
import { pipelines } from '../../../pipelines';
import { ConfigError } from '../../local/config';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import type { LambdaObservability } from './lambdaObservability';
import { openLambdaSystem } from './lambdaSystem';
import { METRIC_DIMENSIONS, METRICS } from './metricNames';

/** An event of a source the pipeline function does not consume. */
export const UNKNOWN_EVENT_SOURCE = 'LAMBDA_UNKNOWN_EVENT_SOURCE';

/** The batches a pipeline function receives. */
export type PipelineEvent = KinesisStreamEvent | SQSEvent | DynamoDBStreamEvent;

const observability = lambdaObservability(process.env);

const runner = perContainer(async () => {
  const definition = declaredPipeline(process.env.NEXUS_PIPELINE);
  observability.powertoolsMetrics.setDefaultDimensions({ [METRIC_DIMENSIONS.pipeline]: definition.name });
  const system = await openLambdaSystem(process.env, observability.logger, observability.tracer);
  return new LambdaBatchRunner(definition, { deadLetters: system.deadLetters, context: system.contextFor(definition.name) });
});

/** The pipeline function's handler: a Kinesis, SQS or DynamoDB Streams batch in, its partial batch response out. */
export const handler = observed(observability, 'pipeline', async (event: PipelineEvent, context: Context): Promise<LambdaBatchResponse> => {
  const batchRunner = await runner();
  const records = event.Records.length;
  if (records === 0) return { batchItemFailures: [] };
  const before = batchRunner.metrics();
  const response = await run(batchRunner, event, context);
  emitInvocationMetrics(observability, records, before, batchRunner.metrics());
  return response;
});

/** The declared pipeline `name`; a missing or unknown name is a ConfigError naming NEXUS_PIPELINE and the declared ones. */
export function declaredPipeline(name: string | undefined): PipelineDefinition {
  const declared = pipelines.map((pipeline) => pipeline.name).join(', ');
  if (name === undefined || name === '') throw new ConfigError(`NEXUS_PIPELINE must name the pipeline this function runs (one of ${declared}); it is not set`);
  const definition = pipelines.find((pipeline) => pipeline.name === name);
  if (!definition) throw new ConfigError(`NEXUS_PIPELINE names no declared pipeline: "${name}"; declared in pipelines/index.ts: ${declared}`);
  return definition;
}

function run(batchRunner: LambdaBatchRunner, event: PipelineEvent, context: Context): Promise<LambdaBatchResponse> {
  // Lambda puts records of one source in a batch: the first one tells which.
  const source = (event.Records[0] as { eventSource?: string }).eventSource;
  if (source === 'aws:kinesis') return batchRunner.kinesis(event as KinesisStreamEvent, context);
  if (source === 'aws:sqs') return batchRunner.sqs(event as SQSEvent, context);
  if (source === 'aws:dynamodb') return batchRunner.dynamoDbStream(event as DynamoDBStreamEvent, context);
  throw new NexusError(UNKNOWN_EVENT_SOURCE, `pipeline ${batchRunner.name} received records of event source "${String(source)}"; it consumes aws:kinesis, aws:sqs and aws:dynamodb batches`);
}

/**
 * This invocation's counts, from the runner's cumulative metrics: in = the batch; parked = parked
 * now; failed = left unfinished for redelivery (neither applied nor parked); out = the rest.
 */
function emitInvocationMetrics(observability: LambdaObservability, records: number, before: ReturnType<LambdaBatchRunner['metrics']>, after: ReturnType<LambdaBatchRunner['metrics']>): void {
  const finished = after.recordsIn - before.recordsIn;
  const parked = after.recordsParked - before.recordsParked;
  const { metrics } = observability;
  metrics.add(METRICS.recordsIn, records);
  metrics.add(METRICS.recordsOut, Math.max(0, finished - parked));
  metrics.add(METRICS.recordsFailed, Math.max(0, records - finished));
  metrics.add(METRICS.recordsParked, parked);
  metrics.add(METRICS.pipelineLag, after.lagMs);
}
