import { lastValueFrom } from 'rxjs';
import type { DeadLetterStore } from '../deadletter/DeadLetterStore';
import type { Logger } from '../logging/Logger';
import type { SourceRecord } from '../streams/RecordSource';
import { parkOnFailure } from './parkOnFailure';
import { PARKED_BEHIND } from './PipelineFailure';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import type { PipelineMetricsRecorder } from './PipelineMetrics';
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

/**
 * Processes one batch: records grouped by key, keys concurrently up to `concurrency`, the
 * records of a key strictly in order. A record failing every attempt is parked; later records
 * of a parked key park behind the oldest parked entry (read from the store, so a redrive in
 * another process unblocks the key). Throws only when the dead-letter store fails, after every
 * key has settled, so that the caller does not checkpoint the batch.
 */
export class KeyedBatchProcessor {
  constructor(private readonly deps: KeyedBatchProcessorDependencies) {}

  async process(batch: readonly SourceRecord[]): Promise<void> {
    const queue = [...groupByKey(batch, this.deps.definition.key ?? ((record) => record.key))];
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        try {
          await this.processKey(group[0], group[1]);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency, queue.length) }, worker));
    if (failure) throw failure.error;
  }

  private async processKey(key: string, records: readonly SourceRecord[]): Promise<void> {
    const { deadLetters, definition, stats } = this.deps;
    let blockingId = (await deadLetters.oldestParked(definition.name, key))?.id;
    for (const record of records) {
      stats.recordsIn += 1;
      if (blockingId === undefined) {
        blockingId = await this.processRecord(key, record);
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
  private async processRecord(key: string, record: SourceRecord): Promise<number | undefined> {
    const { definition, context, deadLetters, stats, logger } = this.deps;
    const startedAt = performance.now();
    let parkedId: number | undefined;
    const target = { pipelineName: definition.name, key, sourcePosition: record.position, record: record.record };
    const onRetry = (error: unknown, attempt: number): void => {
      stats.retries += 1;
      logger.warn('pipeline record failed; retrying', { error, attempt, key, position: record.position });
    };
    const onParked = (entry: { id: number }, error: unknown): void => {
      parkedId = entry.id;
      logger.error('pipeline record parked', { error, key, position: record.position, deadLetterId: entry.id });
    };
    const outcomes = await lastValueFrom(
      runRecord(definition, context, record, { ...this.deps.retry, onRetry }).pipe(parkOnFailure<number>(deadLetters, target, { onParked })),
      { defaultValue: undefined },
    );
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

function groupByKey(batch: readonly SourceRecord[], keyOf: (record: SourceRecord) => string): Map<string, SourceRecord[]> {
  const groups = new Map<string, SourceRecord[]>();
  for (const record of batch) {
    const key = keyOf(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return groups;
}
