import { count, from, lastValueFrom } from 'rxjs';
import type { DeadLetterStore } from '../deadletter/DeadLetterStore';
import type { Logger } from '../logging/Logger';
import type { SourceRecord } from '../streams/RecordSource';
import { parkOnFailure } from './parkOnFailure';
import { PARKED_BEHIND } from './PipelineFailure';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import type { PipelineMetricsRecorder } from './PipelineMetrics';
import { isRetriesExhaustedError, RetriesExhaustedError } from './retryWithBackoff';
import type { RetryWithBackoffOptions } from './retryWithBackoff';
import { runRecord } from './runRecord';

/** What {@link KeyedBatchProcessor} works with. */
export interface KeyedBatchProcessorDependencies {
  definition: PipelineDefinition;
  context: PipelineContext;
  deadLetters: DeadLetterStore;
  stats: PipelineMetricsRecorder;
  logger: Logger;
  /** Keys processed at the same time. */
  concurrency: number;
  retry: Omit<RetryWithBackoffOptions, 'onRetry' | 'scheduler'>;
}

interface KeyedRecord {
  key: string;
  record: SourceRecord;
}

/** A failed lane run counts as the first attempt of the first record that fails again. */
interface LaneCredit {
  available: boolean;
}

/**
 * Processes one batch: records grouped by key, keys concurrently up to `concurrency`, the
 * records of a key strictly in order. A record failing every attempt is parked; later records
 * of a parked key park behind the oldest parked entry (read from the store, so a redrive in
 * another process unblocks the key). Throws only when the dead-letter store fails, after every
 * key has settled, so that the caller does not checkpoint the batch.
 *
 * Happy path: the keys that are not parked are spread over at most `concurrency` lanes, and each
 * lane's records (batch order, so per-key order holds) go through ONE subscription of the pipe.
 * When a lane fails, its records are run again one at a time, in batch order, with retries and
 * parking; records that the failed lane already applied are re-applied harmlessly (sinks are
 * idempotent). The lane's failed run counts as the first attempt of the first record that fails
 * again, so a deterministic poison record is still run `maxAttempts` times in all.
 */
export class KeyedBatchProcessor {
  constructor(private readonly deps: KeyedBatchProcessorDependencies) {}

  async process(batch: readonly SourceRecord[]): Promise<void> {
    const { definition, deadLetters, concurrency } = this.deps;
    const keyOf = definition.key ?? ((record: SourceRecord) => record.key);
    const keys = batch.map((record) => keyOf(record));
    // One query tells whether any key of this pipeline is parked; only then is each key checked.
    const anyParked = (await deadLetters.list({ pipelineName: definition.name, status: 'parked', limit: 1 })).length > 0;
    const blocking = new Map<string, number>();
    if (anyParked) {
      for (const key of new Set(keys)) {
        const oldest = await deadLetters.oldestParked(definition.name, key);
        if (oldest) blocking.set(key, oldest.id);
      }
    }
    const lanes: KeyedRecord[][] = [];
    const blocked: KeyedRecord[] = [];
    const laneOf = new Map<string, KeyedRecord[]>();
    for (let i = 0; i < batch.length; i += 1) {
      const record = batch[i] as SourceRecord;
      const key = keys[i] as string;
      if (blocking.has(key)) {
        blocked.push({ key, record });
        continue;
      }
      let lane = laneOf.get(key);
      if (!lane) {
        if (lanes.length < concurrency) lanes.push([]);
        lane = lanes[laneOf.size % lanes.length] as KeyedRecord[];
        laneOf.set(key, lane);
      }
      lane.push({ key, record });
    }
    const tasks = lanes.map((lane) => this.processLane(lane));
    if (blocked.length > 0) tasks.push(this.processOneByOne(blocked, blocking, { available: false }));
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async processLane(lane: readonly KeyedRecord[]): Promise<void> {
    const { definition, context, stats, logger } = this.deps;
    const startedAt = performance.now();
    let outcomes: number;
    try {
      outcomes = await lastValueFrom(definition.pipe(from(lane.map((entry) => entry.record)), context).pipe(count()));
    } catch (error) {
      logger.warn('pipeline batch failed; processing its records one at a time', { error, records: lane.length });
      await this.processOneByOne(lane, new Map(), { available: this.deps.retry.maxAttempts !== 1 });
      return;
    }
    stats.recordsIn += lane.length;
    stats.recordsOut += outcomes;
    stats.lagRecords = Math.max(0, stats.lagRecords - lane.length);
    const perRecordMs = (performance.now() - startedAt) / lane.length;
    for (let i = 0; i < lane.length; i += 1) stats.recordLatency(perRecordMs);
  }

  /** Records in batch order, each with retries; parks the later records of a parked key behind it. */
  private async processOneByOne(records: readonly KeyedRecord[], blocking: Map<string, number>, credit: LaneCredit): Promise<void> {
    const { deadLetters, definition, stats } = this.deps;
    for (const { key, record } of records) {
      stats.recordsIn += 1;
      const blockingId = blocking.get(key);
      if (blockingId === undefined) {
        const parkedId = await this.processRecord(key, record, credit);
        if (parkedId !== undefined) blocking.set(key, parkedId);
      } else {
        await deadLetters.park({
          pipelineName: definition.name,
          key,
          sourcePosition: record.position,
          record: record.record,
          errorCode: PARKED_BEHIND,
          errorMessage: `parked behind dead letter ${blockingId} of key ${key}`,
          attempts: 0,
          parkedBehindId: blockingId,
        });
        stats.recordsParked += 1;
      }
      stats.lagRecords = Math.max(0, stats.lagRecords - 1);
    }
  }

  /** Returns the dead-letter id when the record was parked. */
  private async processRecord(key: string, record: SourceRecord, credit: LaneCredit): Promise<number | undefined> {
    const { definition, context, deadLetters, stats, logger } = this.deps;
    const startedAt = performance.now();
    let parkedId: number | undefined;
    const maxAttempts = this.deps.retry.maxAttempts ?? 1;
    // Until some record fails again, each one may be the record that failed the lane.
    const credited = credit.available;
    let offset = 0;
    const consumeCredit = (): void => {
      if (!credited || offset === 1) return;
      credit.available = false;
      offset = 1;
      stats.retries += 1;
    };
    const target = { pipelineName: definition.name, key, sourcePosition: record.position, record: record.record };
    const onRetry = (error: unknown, attempt: number): void => {
      consumeCredit();
      stats.retries += 1;
      logger.warn('pipeline record failed; retrying', { error, attempt: attempt + offset, key, position: record.position });
    };
    const onParked = (entry: { id: number }, error: unknown): void => {
      parkedId = entry.id;
      logger.error('pipeline record parked', { error, key, position: record.position, deadLetterId: entry.id });
    };
    const retry = { ...this.deps.retry, maxAttempts: credited ? maxAttempts - 1 : maxAttempts, onRetry };
    const attempts$ = runRecord(definition, context, record, retry, (error) => {
      consumeCredit();
      return isRetriesExhaustedError(error) && offset > 0 ? new RetriesExhaustedError(error.attempts + offset, error.cause) : error;
    });
    const outcomes = await lastValueFrom(attempts$.pipe(parkOnFailure<number>(deadLetters, target, { onParked })), { defaultValue: undefined });
    if (outcomes === undefined) {
      stats.recordsFailed += 1;
      stats.recordsParked += 1;
      return parkedId;
    }
    stats.recordsOut += outcomes;
    stats.recordLatency(performance.now() - startedAt);
    return undefined;
  }
}
