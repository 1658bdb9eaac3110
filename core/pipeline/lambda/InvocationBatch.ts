import type { DeadLetterStore } from '../../deadletter/DeadLetterStore';
import type { Logger } from '../../logging/Logger';
import type { Cancellation } from '../Cancellation';
import { isEngineOutage } from '../../errors/engineOutage';
import { KeyLanes } from '../KeyLanes';
import type { PipelineDefinition } from '../PipelineDefinition';
import type { PipelineMetricsRecorder } from '../PipelineMetrics';
import { inBatch } from '../RecordAttempts';
import type { RecordAttempts } from '../RecordAttempts';
import { isParkedAlready, parkedKeysOf } from './parkedKeys';
import type { ParkedKey } from './parkedKeys';
import { compareSequenceNumbers } from './sequenceNumbers';
import type { FailureReporting, LambdaSourceRecord } from './LambdaSourceRecord';

/** What {@link InvocationBatch} works with. */
export interface InvocationBatchDependencies {
  definition: PipelineDefinition;
  deadLetters: DeadLetterStore;
  attempts: RecordAttempts;
  stats: PipelineMetricsRecorder;
  logger: Logger;
  /** Keys processed at the same time. */
  concurrency: number;
}

interface KeyedRecord {
  key: string;
  record: LambdaSourceRecord;
}

/**
 * One Lambda batch, processed within one invocation: every record ends applied, parked, or
 * unfinished (to be reported for redelivery). Records grouped by key, keys concurrently up to
 * `concurrency` (the {@link KeyLanes} of the embedded runner), the records of a key in order.
 *
 * - A lane runs through one subscription of the pipe; if it fails, its records are run one at a
 *   time, each failure retried with backoff in the invocation (the runner's {@link RecordAttempts})
 *   and parked on exhaustion, later records of its key parked behind it.
 * - Keys parked by an earlier invocation (asked of the dead-letter store) park behind their oldest
 *   entry; a redelivered record that is parked already is recognised and skipped.
 * - Unfinished: a record whose attempts all failed because an engine was unavailable
 *   ({@link isEngineOutage}: waiting helps, parking would not), a record whose park (or the
 *   lookup of parked keys) failed, one whose retry backoff
 *   the `deadline` ended, one not started by the deadline, every later record of its key, and
 *   with `lowest-per-shard` every record after an unfinished one in its shard that has not started.
 */
export class InvocationBatch {
  private readonly unfinished = new Set<LambdaSourceRecord>();
  private readonly unfinishedKeys = new Set<string>();
  /** Per shard, the lowest unfinished sequence number: nothing after it starts. */
  private readonly stops = new Map<string, string>();
  /** Keys parked in this invocation, with the dead-letter id their later records park behind. */
  private readonly parkedNow = new Map<string, number>();

  constructor(
    private readonly deps: InvocationBatchDependencies,
    private readonly reporting: FailureReporting,
    private readonly deadline: Cancellation,
  ) {}

  /** Processes `records`; resolves with those left unfinished. Never rejects. */
  async process(records: readonly LambdaSourceRecord[]): Promise<ReadonlySet<LambdaSourceRecord>> {
    const { definition, deadLetters, stats, logger, concurrency } = this.deps;
    const keyOf = definition.key ?? ((record: LambdaSourceRecord) => record.key);
    const keyed = records.map((record) => ({ key: keyOf(record), record }));
    let parked: Map<string, ParkedKey>;
    try {
      parked = await parkedKeysOf(deadLetters, definition.name, keyed.map((entry) => entry.key), concurrency);
    } catch (error) {
      stats.sourceFailures += 1;
      logger.error('dead-letter store failed while looking up parked keys; the batch is reported for redelivery', { error });
      for (const entry of keyed) this.leave(entry);
      return this.unfinished;
    }
    const lanes = new KeyLanes<KeyedRecord>(concurrency);
    const blocked: KeyedRecord[] = [];
    for (const entry of keyed) {
      if (parked.has(entry.key)) blocked.push(entry);
      else lanes.add(entry);
    }
    await Promise.all([...lanes.lanes.map((lane) => this.processLane(lane)), this.parkBlocked(blocked, parked)]);
    return this.unfinished;
  }

  private async processLane(lane: readonly KeyedRecord[]): Promise<void> {
    const { attempts, logger } = this.deps;
    if (this.deadline.cancelled) {
      for (const entry of lane) this.leave(entry);
      return;
    }
    const startedAt = performance.now();
    try {
      attempts.appliedLane(lane.length, await attempts.runLane(lane.map((entry) => entry.record)), startedAt);
    } catch (error) {
      logger.warn('pipeline batch failed; processing its records one at a time', { error, records: lane.length });
      await this.processOneByOne(lane);
    }
  }

  /** A failed lane's records in batch order: retried in the invocation, parked, or left unfinished. */
  private async processOneByOne(lane: readonly KeyedRecord[]): Promise<void> {
    const { attempts, stats, logger } = this.deps;
    // The lane's failed run is the first attempt of the first record that fails again.
    let credit = attempts.maxAttempts > 1;
    for (const entry of lane) {
      const { key, record } = entry;
      if (!this.mayStart(entry)) continue;
      const parkedId = this.parkedNow.get(key);
      if (parkedId !== undefined) {
        await this.durably(entry, () => attempts.parkBehind(key, record, parkedId, inBatch));
        continue;
      }
      const startedAt = performance.now();
      let made = 1;
      let failure: unknown;
      try {
        attempts.applied(await attempts.once(record), startedAt);
        continue;
      } catch (error) {
        failure = error;
        if (credit) {
          credit = false;
          made = 2;
          stats.retries += 1;
        }
      }
      const result = await attempts.attempt(key, record, made, failure, inBatch, this.deadline);
      if (result.status === 'applied') continue;
      if (result.status === 'abandoned') {
        logger.warn('deadline reached while retrying a record; it is reported for redelivery', { error: result.error, key, origin: record.origin, attempts: result.attempts });
        this.leave(entry);
        continue;
      }
      if (isEngineOutage(result.error)) {
        // The sink's engine is down, not the record bad: wait for redelivery instead of parking every key.
        stats.sourceFailures += 1;
        logger.warn('an engine the pipeline writes to is unavailable; the record is left for redelivery', { error: result.error.cause, key, origin: record.origin });
        this.leave(entry);
        continue;
      }
      await this.durably(entry, async () => {
        this.parkedNow.set(key, await attempts.park(key, record, result.error, inBatch));
      });
    }
  }

  /** Records of keys parked by an earlier invocation: parked behind their oldest entry, redeliveries skipped. */
  private async parkBlocked(blocked: readonly KeyedRecord[], parked: ReadonlyMap<string, ParkedKey>): Promise<void> {
    const { attempts } = this.deps;
    for (const entry of blocked) {
      if (!this.mayStart(entry)) continue;
      const key = parked.get(entry.key) as ParkedKey;
      if (isParkedAlready(key, entry.record.record)) attempts.replayed();
      else await this.durably(entry, () => attempts.parkBehind(entry.key, entry.record, key.blockingId, inBatch));
    }
  }

  /** False (and the record left unfinished) when its key has an unfinished record, the deadline passed, or its shard stopped before it. */
  private mayStart(entry: KeyedRecord): boolean {
    const { sequenceNumber, shard } = entry.record;
    const stop = this.stops.get(shard);
    const pastStop = stop !== undefined && sequenceNumber !== undefined && compareSequenceNumbers(sequenceNumber, stop) > 0;
    if (!this.unfinishedKeys.has(entry.key) && !this.deadline.cancelled && !pastStop) return true;
    this.leave(entry);
    return false;
  }

  /** Runs a dead-letter write; when the store fails, the record is left unfinished. */
  private async durably(entry: KeyedRecord, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.deps.stats.sourceFailures += 1;
      this.deps.logger.error('dead-letter store failed while parking a record; it is reported for redelivery', { error, key: entry.key, origin: entry.record.origin });
      this.leave(entry);
    }
  }

  private leave({ key, record }: KeyedRecord): void {
    this.unfinished.add(record);
    this.unfinishedKeys.add(key);
    if (this.reporting !== 'lowest-per-shard' || record.sequenceNumber === undefined) return;
    const stop = this.stops.get(record.shard);
    if (stop === undefined || compareSequenceNumbers(record.sequenceNumber, stop) < 0) this.stops.set(record.shard, record.sequenceNumber);
  }
}
