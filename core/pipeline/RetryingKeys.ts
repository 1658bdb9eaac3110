import type { Logger } from '../logging/Logger';
import type { SourceRecord } from '../streams/RecordSource';
import { Cancellation } from './Cancellation';
import type { PipelineMetricsRecorder } from './PipelineMetrics';
import type { RecordAttempts, WriteUnit } from './RecordAttempts';
import { backoffDelayMs } from './retryWithBackoff';

/** Records of one key that a batch leaves unfinished, in source order. */
export interface Handoff {
  key: string;
  records: SourceRecord[];
  /** Failed attempts the first record has had already (0: not tried yet). */
  attemptsMade: number;
  lastError?: unknown;
}

/** Tunables of {@link RetryingKeys}. */
export interface RetryingKeysOptions {
  maxRetryingKeys: number;
  maxWaitingRecords: number;
  /** Backoff after a failed dead-letter write (first delay, upper bound, jitter). */
  initialBackoffMs: number;
  maxFailureBackoffMs: number;
  random: () => number;
}

/** What {@link RetryingKeys} works with. */
export interface RetryingKeysDependencies {
  attempts: RecordAttempts;
  /** Runs each attempt and each park so that it is durable when it resolves. */
  unit: WriteUnit;
  stats: PipelineMetricsRecorder;
  logger: Logger;
  /** Called when a key's worker stops or a bound is no longer reached: the runner may commit, read on, or be caught up. */
  onSettled: () => void;
  options: RetryingKeysOptions;
}

interface KeyEntry {
  key: string;
  /** Unfinished records of the key, oldest first; the first is the one being worked on. */
  queue: SourceRecord[];
  attemptsMade: number;
  lastError: unknown;
  /** Set once a record of the key is parked: the rest of the queue parks behind it. */
  parkedId: number | undefined;
  running: boolean;
}

/**
 * The in-flight map: keys whose oldest unfinished record failed in its batch, each worked off
 * the batch's critical path by one worker that waits out the backoff, retries, parks on
 * exhaustion and then parks the rest of the key behind it. Later records of such a key are
 * appended to its queue by later batches, so per-key order holds; other keys never wait.
 *
 * A key counts as retrying while its queue is not empty. An emptied entry stays until `reap`
 * (called by the runner before it looks at the dead-letter store), so a batch never misses a
 * key that was parked while it was being planned.
 */
export class RetryingKeys {
  private readonly entries = new Map<string, KeyEntry>();
  private readonly workers = new Set<Promise<void>>();
  private cancellationOfRun = new Cancellation();
  private live = 0;
  private waiting = 0;

  constructor(private readonly deps: RetryingKeysDependencies) {}

  /** Ends waits of the current run (retry backoffs, inline retries of a batch) when cancelled. */
  get cancellation(): Cancellation {
    return this.cancellationOfRun;
  }

  /** True when `key` has an entry: its new records must be handed off, not processed. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Keys with unfinished records. */
  get retryingKeys(): number {
    return this.live;
  }

  /** Records not finished yet, the retrying ones included. */
  get waitingRecords(): number {
    return this.waiting;
  }

  /** New keys a batch may still hand off; entries not reaped yet count, so the bound is strict. */
  get freeSlots(): number {
    return Math.max(0, this.deps.options.maxRetryingKeys - this.entries.size);
  }

  /** At a bound: the runner must not read further until a key finishes. */
  get full(): boolean {
    const { maxRetryingKeys, maxWaitingRecords } = this.deps.options;
    return this.live >= maxRetryingKeys || this.waiting >= maxWaitingRecords;
  }

  /** The lowest source position not finished yet; the checkpoint must stay below it. */
  private oldestUnfinished(): number | undefined {
    let oldest: number | undefined;
    for (const entry of this.entries.values()) {
      const head = entry.queue[0];
      if (head && (oldest === undefined || head.position < oldest)) oldest = head.position;
    }
    return oldest;
  }

  /**
   * Where the checkpoint may go: `read`, the position read up to, unless a record at or before
   * it is unfinished (retrying, waiting behind a retrying one, or handed off by the batch being
   * committed); then just below the oldest of them. Positions are integers, so `oldest - 1`
   * re-reads exactly from the oldest unfinished record.
   */
  checkpointFor(read: number, handoffs: readonly Handoff[] = []): number {
    let oldest = this.oldestUnfinished();
    for (const handoff of handoffs) {
      const head = handoff.records[0];
      if (head && (oldest === undefined || head.position < oldest)) oldest = head.position;
    }
    return oldest === undefined ? read : Math.min(read, oldest - 1);
  }

  /** Takes over the unfinished records of a committed batch and starts their keys' workers. */
  accept(handoffs: readonly Handoff[]): void {
    for (const handoff of handoffs) {
      let entry = this.entries.get(handoff.key);
      if (!entry) {
        entry = { key: handoff.key, queue: [], attemptsMade: 0, lastError: undefined, parkedId: undefined, running: false };
        this.entries.set(handoff.key, entry);
      }
      if (entry.queue.length === 0) {
        this.live += 1;
        entry.attemptsMade = handoff.attemptsMade;
        entry.lastError = handoff.lastError;
      }
      entry.queue.push(...handoff.records);
      this.waiting += handoff.records.length;
      if (!entry.running && !this.cancellationOfRun.cancelled) this.startWorker(entry);
    }
    this.publish();
  }

  /** Forgets keys that finished; call before planning a batch. */
  reap(): void {
    for (const [key, entry] of this.entries) if (entry.queue.length === 0 && !entry.running) this.entries.delete(key);
  }

  /** Makes workers startable again after `stop`. */
  restart(): void {
    if (this.cancellationOfRun.cancelled) this.cancellationOfRun = new Cancellation();
  }

  /** Abandons every backoff wait and resolves once no attempt or park is running. Entries stay. */
  async stop(): Promise<void> {
    this.cancellationOfRun.cancel();
    while (this.workers.size > 0) await Promise.all([...this.workers]);
  }

  /** Drops every entry (after `stop`: their records are read again from the checkpoint). */
  clear(): void {
    this.entries.clear();
    this.live = 0;
    this.waiting = 0;
    this.publish();
  }

  private startWorker(entry: KeyEntry): void {
    entry.running = true;
    const worker = this.drain(entry)
      .catch((error: unknown) => this.deps.logger.error('retrying key stopped unexpectedly', { error, key: entry.key }))
      .finally(() => {
        entry.running = false;
        this.workers.delete(worker);
        this.publish();
        this.deps.onSettled();
      });
    this.workers.add(worker);
  }

  private async drain(entry: KeyEntry): Promise<void> {
    while (entry.queue.length > 0 && !this.cancellationOfRun.cancelled) {
      const record = entry.queue[0] as SourceRecord;
      if (!(await this.finish(entry, record))) return;
      const wasFull = this.full;
      entry.queue.shift();
      entry.attemptsMade = 0;
      entry.lastError = undefined;
      this.waiting -= 1;
      if (entry.queue.length === 0) this.live -= 1;
      this.publish();
      // A runner held back by the bound on waiting records may read again.
      if (wasFull && !this.full) this.deps.onSettled();
    }
  }

  /** True once `record` is applied or parked; false when abandoned. */
  private async finish(entry: KeyEntry, record: SourceRecord): Promise<boolean> {
    const { attempts, unit } = this.deps;
    const blockingId = entry.parkedId;
    if (blockingId !== undefined) return this.durably(() => attempts.parkBehind(entry.key, record, blockingId, unit));
    const result = await attempts.attempt(entry.key, record, entry.attemptsMade, entry.lastError, unit, this.cancellationOfRun);
    if (result.status === 'abandoned') return false;
    if (result.status === 'applied') return true;
    return this.durably(async () => {
      entry.parkedId = await attempts.park(entry.key, record, result.error, unit);
    });
  }

  /** Retries a dead-letter write until it is stored; false when the run is cancelled first. */
  private async durably(write: () => Promise<void>): Promise<boolean> {
    const { stats, logger, options } = this.deps;
    for (let failures = 1; ; failures += 1) {
      try {
        await write();
        return true;
      } catch (error) {
        stats.sourceFailures += 1;
        const delayMs = backoffDelayMs(failures, options.initialBackoffMs, options.maxFailureBackoffMs, options.random);
        logger.error('dead-letter store failed while parking a retried record; retrying', { error, failures, delayMs });
        if (!(await this.cancellationOfRun.delay(delayMs))) return false;
      }
    }
  }

  private publish(): void {
    this.deps.stats.retryingKeys = this.live;
    this.deps.stats.waitingRecords = this.waiting;
  }
}
