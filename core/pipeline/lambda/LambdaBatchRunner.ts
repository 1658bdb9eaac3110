import type { DynamoDBBatchResponse, DynamoDBStreamEvent, KinesisStreamBatchResponse, KinesisStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeadLetterStore } from '../../deadletter/DeadLetterStore';
import type { Logger } from '../../logging/Logger';
import { Cancellation } from '../Cancellation';
import { PIPELINE_DEFAULTS } from '../PipelineDefinition';
import type { PipelineContext, PipelineDefinition, PipelineOptions } from '../PipelineDefinition';
import { PipelineMetricsRecorder } from '../PipelineMetrics';
import type { PipelineMetrics } from '../PipelineMetrics';
import { RecordAttempts } from '../RecordAttempts';
import { batchItemFailures } from './batchItemFailures';
import type { BatchItemFailure } from './batchItemFailures';
import { dynamoDbStreamRecords, EVENT_ITEM_ATTRIBUTES } from './dynamoDbStreamRecords';
import type { EventItemAttributes } from './dynamoDbStreamRecords';
import { InvocationBatch } from './InvocationBatch';
import { kinesisRecords } from './kinesisRecords';
import type { FailureReporting, LambdaInvocation, LambdaSourceRecord } from './LambdaSourceRecord';
import { sqsRecords } from './sqsRecords';
import { definedOnly } from '../../options/definedOnly';

/** Tunables of {@link LambdaBatchRunner}: the pipeline's own options win over the defaults, these win over both. */
export interface LambdaRunnerOptions extends Omit<PipelineOptions, 'batchSize'> {
  /**
   * Time kept free at the end of an invocation: no retry waits and no record starts after
   * `getRemainingTimeInMillis() - safetyMarginMs`, so an attempt under way and the response fit
   * before Lambda's timeout. Capped at half the remaining time, so a short timeout still makes
   * progress. @defaultValue 1000
   */
  safetyMarginMs?: number;
  /** Jitter source in [0, 1). @defaultValue Math.random */
  random?: () => number;
  /** Attribute names of event items in DynamoDB Streams images. @defaultValue EVENT_ITEM_ATTRIBUTES */
  eventItemAttributes?: EventItemAttributes;
}

export const LAMBDA_RUNNER_DEFAULTS: Required<LambdaRunnerOptions> = {
  maxAttempts: PIPELINE_DEFAULTS.maxAttempts,
  initialBackoffMs: PIPELINE_DEFAULTS.initialBackoffMs,
  maxBackoffMs: PIPELINE_DEFAULTS.maxBackoffMs,
  concurrency: PIPELINE_DEFAULTS.concurrency,
  safetyMarginMs: 1000,
  random: Math.random,
  eventItemAttributes: EVENT_ITEM_ATTRIBUTES,
};

/** What a Lambda runner needs: the dead-letter store (it persists parked keys across invocations) and the pipeline's context. */
export interface LambdaRunnerDependencies {
  deadLetters: DeadLetterStore;
  context: PipelineContext;
  /** @defaultValue context.logger */
  logger?: Logger;
}

/** The partial batch response of any of the three sources. */
export interface LambdaBatchResponse {
  batchItemFailures: BatchItemFailure[];
}

/**
 * Runs one pipeline on Lambda batches (Kinesis, SQS, DynamoDB Streams) with the guarantees of the
 * embedded runner, and answers each invocation with a partial batch response.
 *
 * Guarantees: at-least-once; records of one key in order, keys concurrently up to `concurrency`;
 * a record that fails is retried with full-jitter backoff within the invocation, then parked with
 * its original bytes, the pipeline name, the error and the attempts (its exact sequence number or
 * message id in the entry's message); later records of its key are parked behind it, in this
 * invocation and in later ones (the dead-letter store is asked, so a redrive unblocks the key).
 * Retries stop at a deadline taken from `getRemainingTimeInMillis()` minus `safetyMarginMs`.
 *
 * Partial batch responses: a record that could be neither finished nor parked (the dead-letter
 * store failed, the deadline came first) is reported. Kinesis and DynamoDB Streams: the lowest
 * such sequence number per shard (Lambda retries from it, skipping nothing), and nothing after it
 * in its shard is started. SQS: every such message, and every later message of its key.
 *
 * One instance per pipeline and Lambda container: it keeps only cumulative metrics between
 * invocations, and logs one line per invocation.
 *
 * @example
 * ```ts
 * const runner = new LambdaBatchRunner(orderList, { deadLetters, context });
 * export const handler: KinesisStreamHandler = (event, context) => runner.kinesis(event, context);
 * ```
 */
export class LambdaBatchRunner {
  private readonly options: Required<LambdaRunnerOptions>;
  private readonly logger: Logger;
  private readonly stats: PipelineMetricsRecorder;
  private readonly attempts: RecordAttempts;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly deps: LambdaRunnerDependencies,
    options: LambdaRunnerOptions = {},
  ) {
    const { batchSize: _ignored, ...pipelineOptions } = definition.options ?? {};
    this.options = { ...LAMBDA_RUNNER_DEFAULTS, ...definedOnly(pipelineOptions), ...definedOnly(options) };
    this.logger = (deps.logger ?? deps.context.logger).child({ pipeline: definition.name });
    this.stats = new PipelineMetricsRecorder(definition.name);
    const { maxAttempts, initialBackoffMs, maxBackoffMs, random } = this.options;
    this.attempts = new RecordAttempts({
      definition,
      context: deps.context,
      deadLetters: deps.deadLetters,
      stats: this.stats,
      logger: this.logger,
      retry: { maxAttempts, initialBackoffMs, maxBackoffMs, random },
      origin: (record) => (record as Partial<LambdaSourceRecord>).origin,
    });
  }

  /** The pipeline's name. */
  get name(): string {
    return this.definition.name;
  }

  /** Processes a Kinesis batch; reports the lowest unfinished sequence number per shard. */
  kinesis(event: KinesisStreamEvent, invocation: LambdaInvocation): Promise<KinesisStreamBatchResponse> {
    return this.run('kinesis', kinesisRecords(event), 'lowest-per-shard', invocation);
  }

  /** Processes an SQS batch; reports every unfinished message (and the later ones of its key). */
  sqs(event: SQSEvent, invocation: LambdaInvocation): Promise<SQSBatchResponse> {
    return this.run('sqs', sqsRecords(event), 'per-message', invocation);
  }

  /** Processes a DynamoDB Streams batch (INSERTs of event items); reports as Kinesis. */
  dynamoDbStream(event: DynamoDBStreamEvent, invocation: LambdaInvocation): Promise<DynamoDBBatchResponse> {
    return this.run('dynamodb', dynamoDbStreamRecords(event, this.options.eventItemAttributes), 'lowest-per-shard', invocation);
  }

  /** Counters since this instance was created (across invocations). */
  metrics(): PipelineMetrics {
    return this.stats.snapshot();
  }

  private async run(source: string, records: readonly LambdaSourceRecord[], reporting: FailureReporting, invocation: LambdaInvocation): Promise<LambdaBatchResponse> {
    const startedAt = Date.now();
    const remainingMs = invocation.getRemainingTimeInMillis();
    const budgetMs = Math.max(0, remainingMs - Math.min(this.options.safetyMarginMs, remainingMs / 2));
    const deadline = new Cancellation();
    const timer = setTimeout(() => deadline.cancel(), budgetMs);
    const before = this.stats.snapshot();
    this.measureLag(records);
    let unfinished: ReadonlySet<LambdaSourceRecord>;
    try {
      const { definition, attempts, stats, logger } = this;
      const batch = new InvocationBatch({ definition, deadLetters: this.deps.deadLetters, attempts, stats, logger, concurrency: this.options.concurrency }, reporting, deadline);
      unfinished = await batch.process(records);
    } finally {
      clearTimeout(timer);
    }
    const failures = batchItemFailures(unfinished, reporting);
    const after = this.stats.snapshot();
    this.stats.lagRecords = 0;
    this.logger.info('pipeline invocation', {
      source,
      requestId: invocation.awsRequestId,
      records: records.length,
      finished: after.recordsIn - before.recordsIn,
      parked: after.recordsParked - before.recordsParked,
      failed: after.recordsFailed - before.recordsFailed,
      retries: after.retries - before.retries,
      unfinished: unfinished.size,
      reported: failures.map((failure) => failure.itemIdentifier),
      deadlineReached: deadline.cancelled,
      durationMs: Date.now() - startedAt,
      remainingMs: invocation.getRemainingTimeInMillis(),
    });
    return { batchItemFailures: failures };
  }

  /** Iterator age: how old the newest record of the batch is (0 when the source does not say). */
  private measureLag(records: readonly LambdaSourceRecord[]): void {
    if (records.length === 0) return;
    this.stats.batches += 1;
    this.stats.lagRecords = records.length;
    const newest = Math.max(...records.map((record) => record.arrivedAtMs ?? 0));
    this.stats.lagMs = newest > 0 ? Math.max(0, Date.now() - newest) : 0;
  }
}
