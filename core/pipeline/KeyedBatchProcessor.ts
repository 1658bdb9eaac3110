import type { DeadLetterStore } from '../deadletter/DeadLetterStore';
import type { Logger } from '../logging/Logger';
import type { SourceRecord } from '../streams/RecordSource';
import type { Cancellation } from './Cancellation';
import { KeyLanes } from './KeyLanes';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import type { PipelineMetricsRecorder } from './PipelineMetrics';
import { inBatch } from './RecordAttempts';
import type { RecordAttempts } from './RecordAttempts';
import type { Handoff, RetryingKeys } from './RetryingKeys';

/** What {@link KeyedBatchProcessor} works with. */
export interface KeyedBatchProcessorDependencies {
  definition: PipelineDefinition;
  context: PipelineContext;
  deadLetters: DeadLetterStore;
  attempts: RecordAttempts;
  stats: PipelineMetricsRecorder;
  logger: Logger;
  /** Keys processed at the same time. */
  concurrency: number;
}

/**
 * Parked entries of one key read to learn how far it was parked, once per key and run; a key
 * with more parked records may see a replayed one parked twice (harmless: redrives are idempotent).
 */
const REPLAY_SCAN_LIMIT = 10_000;

interface KeyedRecord {
  key: string;
  record: SourceRecord;
}

/** A key parked in the dead-letter store: its records park behind `id`. */
interface Blocking {
  id: number;
  /** Highest parked position of the key: records up to it were finished by an earlier run. */
  parkedUpTo: number;
}

/** What the lanes of one batch share. */
interface BatchState {
  handoffs: Map<string, Handoff>;
  /** Keys parked inside this batch, with the dead-letter id later records park behind. */
  parkedNow: Map<string, number>;
  /** New keys this batch may still hand off (the bound on retrying keys). */
  freeSlots: number;
  cancellation: Cancellation;
}

/**
 * Processes one batch on its critical path: first attempts only. Records grouped by key, keys
 * concurrently up to `concurrency`, the records of a key strictly in order.
 *
 * - Happy path: the keys are spread over at most `concurrency` lanes, and each lane's records
 *   (batch order) go through ONE subscription of the pipe.
 * - A failed lane is run again one record at a time (records it applied already are re-applied
 *   harmlessly: sinks are idempotent). Its failed run counts as the first attempt of the first
 *   record that fails again. A record that fails is handed off, with the rest of its key in the
 *   batch, to the {@link RetryingKeys}, which retry it off the critical path; when no slot is
 *   free (`maxRetryingKeys`), it is retried here instead, holding the batch (back-pressure).
 * - Records of a key that is retrying already are handed off behind it, untouched.
 * - Records of a key parked in the dead-letter store park behind its oldest entry (read from
 *   the store, so a redrive in another process unblocks the key); records of such a key that an
 *   earlier run already finished (a replay after a restart) are counted and skipped.
 *
 * Returns the handoffs, to be given to the RetryingKeys once the batch is committed. Throws only
 * when the dead-letter store fails, after every key has settled, so that the caller does not
 * checkpoint the batch.
 */
export class KeyedBatchProcessor {
  /** Keys found parked, with how far: learned once per key and run, dropped once unparked. */
  private readonly parkedUpTo = new Map<string, number>();

  constructor(private readonly deps: KeyedBatchProcessorDependencies) {}

  /** Forgets what was learned about parked keys; call when the run starts again from the checkpoint. */
  reset(): void {
    this.parkedUpTo.clear();
  }

  async process(batch: readonly SourceRecord[], retrying: RetryingKeys): Promise<Handoff[]> {
    const { definition, concurrency } = this.deps;
    const keyOf = definition.key ?? ((record: SourceRecord) => record.key);
    const keyed = batch.map((record) => ({ key: keyOf(record), record }));
    const blocking = await this.blockingKeys(keyed, retrying);
    const state: BatchState = { handoffs: new Map(), parkedNow: new Map(), freeSlots: retrying.freeSlots, cancellation: retrying.cancellation };
    const lanes = new KeyLanes<KeyedRecord>(concurrency);
    const blocked: KeyedRecord[] = [];
    for (const entry of keyed) {
      if (retrying.has(entry.key)) {
        handOff(state.handoffs, entry, 0);
        continue;
      }
      if (blocking.has(entry.key)) {
        blocked.push(entry);
        continue;
      }
      lanes.add(entry);
    }
    const tasks = lanes.lanes.map((lane) => this.processLane(lane, state));
    if (blocked.length > 0) tasks.push(this.parkBlocked(blocked, blocking));
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return [...state.handoffs.values()];
  }

  /** Keys of the batch parked in the store (one query tells whether any is). Retrying keys are not looked up. */
  private async blockingKeys(keyed: readonly KeyedRecord[], retrying: RetryingKeys): Promise<Map<string, Blocking>> {
    const { definition, deadLetters } = this.deps;
    const blocking = new Map<string, Blocking>();
    const anyParked = (await deadLetters.list({ pipelineName: definition.name, status: 'parked', limit: 1 })).length > 0;
    if (!anyParked) {
      this.parkedUpTo.clear();
      return blocking;
    }
    for (const key of new Set(keyed.map((entry) => entry.key))) {
      if (retrying.has(key)) continue;
      const oldest = await deadLetters.oldestParked(definition.name, key);
      if (!oldest) {
        this.parkedUpTo.delete(key);
        continue;
      }
      let parkedUpTo = this.parkedUpTo.get(key);
      if (parkedUpTo === undefined) {
        const parked = await deadLetters.list({ pipelineName: definition.name, key, status: 'parked', limit: REPLAY_SCAN_LIMIT });
        parkedUpTo = Math.max(oldest.sourcePosition, ...parked.map((entry) => entry.sourcePosition));
        this.parkedUpTo.set(key, parkedUpTo);
      }
      blocking.set(key, { id: oldest.id, parkedUpTo });
    }
    return blocking;
  }

  private async processLane(lane: readonly KeyedRecord[], state: BatchState): Promise<void> {
    const { attempts, logger } = this.deps;
    const startedAt = performance.now();
    let outcomes: number;
    try {
      outcomes = await attempts.runLane(lane.map((entry) => entry.record));
    } catch (error) {
      logger.warn('pipeline batch failed; processing its records one at a time', { error, records: lane.length });
      await this.processOneByOne(lane, state);
      return;
    }
    attempts.appliedLane(lane.length, outcomes, startedAt);
  }

  /** A failed lane's records in batch order, one attempt each; failures are handed off or retried here. */
  private async processOneByOne(lane: readonly KeyedRecord[], state: BatchState): Promise<void> {
    const { attempts, stats } = this.deps;
    // The lane's failed run is the first attempt of the first record that fails again.
    let credit = attempts.maxAttempts > 1;
    for (const entry of lane) {
      const { key, record } = entry;
      if (state.handoffs.has(key)) {
        handOff(state.handoffs, entry, 0);
        continue;
      }
      const parkedId = state.parkedNow.get(key);
      if (parkedId !== undefined) {
        await attempts.parkBehind(key, record, parkedId, inBatch);
        continue;
      }
      const startedAt = performance.now();
      try {
        attempts.applied(await attempts.once(record), startedAt);
        continue;
      } catch (error) {
        let made = 1;
        if (credit) {
          credit = false;
          made = 2;
          stats.retries += 1;
        }
        if (made < attempts.maxAttempts && state.freeSlots > 0) {
          state.freeSlots -= 1;
          handOff(state.handoffs, entry, made, error);
          continue;
        }
        await this.retryHere(entry, made, error, state);
      }
    }
  }

  /** No slot is free (or no attempt is left): retry and park inside the batch, as a batch-bound pipeline would. */
  private async retryHere({ key, record }: KeyedRecord, made: number, error: unknown, state: BatchState): Promise<void> {
    const { attempts } = this.deps;
    const result = await attempts.attempt(key, record, made, error, inBatch, state.cancellation);
    if (result.status === 'applied') return;
    if (result.status === 'abandoned') {
      // The runner is stopping: leave the record unfinished, so the checkpoint stays below it.
      handOff(state.handoffs, { key, record }, result.attempts, result.error);
      return;
    }
    state.parkedNow.set(key, await attempts.park(key, record, result.error, inBatch));
  }

  /** Parks records of keys parked in the store behind their oldest entry, skipping replays. */
  private async parkBlocked(blocked: readonly KeyedRecord[], blocking: ReadonlyMap<string, Blocking>): Promise<void> {
    const { attempts } = this.deps;
    for (const { key, record } of blocked) {
      const { id, parkedUpTo } = blocking.get(key) as Blocking;
      if (record.position <= parkedUpTo) attempts.replayed();
      else await attempts.parkBehind(key, record, id, inBatch);
    }
  }
}

function handOff(handoffs: Map<string, Handoff>, { key, record }: KeyedRecord, attemptsMade: number, lastError?: unknown): void {
  const handoff = handoffs.get(key);
  if (handoff) handoff.records.push(record);
  else handoffs.set(key, { key, records: [record], attemptsMade, lastError });
}
