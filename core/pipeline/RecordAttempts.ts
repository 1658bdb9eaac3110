import { count, defer, from, lastValueFrom, of } from 'rxjs';
import type { DeadLetterStore } from '../deadletter/DeadLetterStore';
import type { Logger } from '../logging/Logger';
import type { SourceRecord } from '../streams/RecordSource';
import type { Cancellation } from './Cancellation';
import { describeFailure, PARKED_BEHIND } from './PipelineFailure';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import type { PipelineMetricsRecorder } from './PipelineMetrics';
import { backoffDelayMs, RetriesExhaustedError } from './retryWithBackoff';

/**
 * Runs `work` so that its writes are durable when it resolves: the checkpoint store's
 * `atomically` for work done outside a batch, or a plain call inside one (the batch commits it).
 */
export type WriteUnit = <T>(work: () => Promise<T>) => Promise<T>;

/** Runs `work` as it is: for work inside a batch's own unit. */
export const inBatch: WriteUnit = (work) => work();

/** How a record's attempts ended. */
export type AttemptsResult =
  | { status: 'applied' }
  /** Every attempt failed: park the record (`error` is a RetriesExhaustedError). */
  | { status: 'exhausted'; error: RetriesExhaustedError }
  /** Cancelled while waiting to retry: the record is not finished, after `attempts` failed ones. */
  | { status: 'abandoned'; attempts: number; error: unknown };

/** What {@link RecordAttempts} works with. */
export interface RecordAttemptsDependencies {
  definition: PipelineDefinition;
  context: PipelineContext;
  deadLetters: DeadLetterStore;
  stats: PipelineMetricsRecorder;
  logger: Logger;
  retry: { maxAttempts: number; initialBackoffMs: number; maxBackoffMs: number; random: () => number };
  /**
   * Where a record came from beyond its numeric position (a Kinesis shard and exact sequence
   * number), added to its dead letter's message, so that an operator can find it in the source.
   * @defaultValue nothing is added
   */
  origin?: (record: SourceRecord) => string | undefined;
}

/**
 * One record's way through the pipeline: single attempts, retries with full-jitter backoff,
 * parking. Shared by the batch (first attempts) and the retrying keys (the attempts after).
 * Every finished record is counted here exactly once: applied, parked, or parked behind.
 */
export class RecordAttempts {
  constructor(private readonly deps: RecordAttemptsDependencies) {}

  get maxAttempts(): number {
    return this.deps.retry.maxAttempts;
  }

  /** One run of `record` through the pipe: resolves with its number of outcomes, rejects with its failure. */
  once(record: SourceRecord): Promise<number> {
    const { definition, context } = this.deps;
    return lastValueFrom(defer(() => definition.pipe(of(record), context)).pipe(count()));
  }

  /**
   * One run of a lane's records, in order, through ONE subscription of the pipe: resolves with
   * their number of outcomes, rejects with the first failure (records before it may be applied).
   */
  runLane(records: readonly SourceRecord[]): Promise<number> {
    const { definition, context } = this.deps;
    return lastValueFrom(defer(() => definition.pipe(from(records), context)).pipe(count()));
  }

  /** Counts the `records` of a lane applied by one run that started at `startedAt`. */
  appliedLane(records: number, outcomes: number, startedAt: number): void {
    const { stats } = this.deps;
    stats.recordsIn += records;
    stats.recordsOut += outcomes;
    stats.lagRecords = Math.max(0, stats.lagRecords - records);
    const perRecordMs = (performance.now() - startedAt) / records;
    for (let i = 0; i < records; i += 1) stats.recordLatency(perRecordMs);
  }

  /**
   * Attempts `record` until one attempt succeeds or `maxAttempts` are made in all, `made` of them
   * already (failing with `lastError`). Each further attempt waits its backoff first, then runs
   * in `unit`. Abandoned when `cancellation` ends a wait; never rejects.
   */
  async attempt(key: string, record: SourceRecord, made: number, lastError: unknown, unit: WriteUnit, cancellation: Cancellation): Promise<AttemptsResult> {
    const { stats, logger, retry } = this.deps;
    const startedAt = performance.now();
    let attempts = made;
    let error = lastError;
    while (attempts < retry.maxAttempts) {
      if (attempts > 0) {
        const delayMs = backoffDelayMs(attempts, retry.initialBackoffMs, retry.maxBackoffMs, retry.random);
        logger.warn('pipeline record failed; retrying', { error, attempt: attempts, key, position: record.position, delayMs });
        if (!(await cancellation.delay(delayMs))) return { status: 'abandoned', attempts, error };
        stats.retries += 1;
      }
      attempts += 1;
      try {
        const outcomes = await unit(() => this.once(record));
        this.applied(outcomes, startedAt);
        return { status: 'applied' };
      } catch (failure) {
        error = failure;
      }
    }
    return { status: 'exhausted', error: new RetriesExhaustedError(attempts, error) };
  }

  /** Counts a record applied by an attempt that started at `startedAt`. */
  applied(outcomes: number, startedAt: number): void {
    const { stats } = this.deps;
    stats.recordsIn += 1;
    stats.recordsOut += outcomes;
    stats.lagRecords = Math.max(0, stats.lagRecords - 1);
    stats.recordLatency(performance.now() - startedAt);
  }

  /** Parks a record whose attempts are exhausted; returns its dead-letter id. Throws when the store fails. */
  async park(key: string, record: SourceRecord, error: RetriesExhaustedError, unit: WriteUnit): Promise<number> {
    const { definition, deadLetters, stats, logger } = this.deps;
    const { errorCode, errorMessage, attempts } = describeFailure(error);
    const target = { pipelineName: definition.name, key, sourcePosition: record.position, record: record.record };
    const message = this.withOrigin(errorMessage, record);
    const entry = await unit(() => deadLetters.park({ ...target, errorCode, errorMessage: message, attempts, parkedBehindId: null }));
    logger.error('pipeline record parked', { error: error.cause, key, position: record.position, deadLetterId: entry.id, attempts });
    stats.recordsIn += 1;
    stats.recordsFailed += 1;
    stats.recordsParked += 1;
    stats.lagRecords = Math.max(0, stats.lagRecords - 1);
    return entry.id;
  }

  /** Parks a record behind the parked entry `blockingId` of its key. Throws when the store fails. */
  async parkBehind(key: string, record: SourceRecord, blockingId: number, unit: WriteUnit): Promise<void> {
    const { definition, deadLetters, stats } = this.deps;
    await unit(() =>
      deadLetters.park({
        pipelineName: definition.name,
        key,
        sourcePosition: record.position,
        record: record.record,
        errorCode: PARKED_BEHIND,
        errorMessage: this.withOrigin(`parked behind dead letter ${blockingId} of key ${key}`, record),
        attempts: 0,
        parkedBehindId: blockingId,
      }),
    );
    stats.recordsIn += 1;
    stats.recordsParked += 1;
    stats.lagRecords = Math.max(0, stats.lagRecords - 1);
  }

  private withOrigin(message: string, record: SourceRecord): string {
    const origin = this.deps.origin?.(record);
    return origin === undefined ? message : `${message} (${origin})`;
  }

  /** Counts a record read again after a restart that is already parked or applied (see KeyedBatchProcessor). */
  replayed(): void {
    this.deps.stats.recordsIn += 1;
    this.deps.stats.lagRecords = Math.max(0, this.deps.stats.lagRecords - 1);
  }
}
