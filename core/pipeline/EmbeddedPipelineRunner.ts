import { NexusError } from '../errors/NexusError';
import { CaughtUpWaiters } from './CaughtUpWaiters';
import type { Logger } from '../logging/Logger';
import type { RecordSource, SourceRecord } from '../streams/RecordSource';
import { KeyedBatchProcessor } from './KeyedBatchProcessor';
import { RecordAttempts } from './RecordAttempts';
import { RetryingKeys } from './RetryingKeys';
import type { PipelineDefinition } from './PipelineDefinition';
import { PipelineMetricsRecorder } from './PipelineMetrics';
import type { PipelineMetrics } from './PipelineMetrics';
import { backoffDelayMs } from './retryWithBackoff';
import { RUNNER_DEFAULTS, RUNNER_ERRORS } from './RunnerOptions';
import type { HeadAwareRecordSource, RunnerDependencies, RunnerOptions } from './RunnerOptions';
import { WakeSignal } from './WakeSignal';
import { definedOnly } from '../options/definedOnly';

export { RUNNER_DEFAULTS, RUNNER_ERRORS } from './RunnerOptions';
export type { HeadAwareRecordSource, RunnerDependencies, RunnerOptions } from './RunnerOptions';

/**
 * Runs one pipeline in this process against a tail-able source.
 *
 * Guarantees: at-least-once; records of one key strictly in order, different keys concurrently
 * up to `concurrency`; a record that fails is retried with backoff off the batches' path (by
 * {@link RetryingKeys}: its key's later records wait behind it, other keys and later batches go
 * on), and after `maxAttempts` it is parked with its original bytes, later records of its key
 * parked behind it (checked in the dead-letter store, so a redrive from another process
 * unblocks the key); source and checkpoint failures are logged and retried, never thrown.
 *
 * Checkpoint rule: the checkpoint is the read position, held just below the oldest unfinished
 * record when a key is retrying. Records finished beyond it are not remembered: after a crash or
 * stop they are read and applied again (sinks are idempotent by aggregate version), and records
 * of a parked key that were already parked are recognised and skipped. With a store that has
 * `atomically` (SQLite), a batch's writes and its checkpoint commit together, and every retry
 * attempt and park of a retrying key runs in a unit of its own, durable before it counts.
 */
export class EmbeddedPipelineRunner {
  private readonly options: Required<RunnerOptions>;
  private readonly logger: Logger;
  private readonly stats: PipelineMetricsRecorder;
  private readonly waiters: CaughtUpWaiters;
  private position: number | undefined;
  private committed = 0;
  /** Was the last read a full batch? Then more is waiting: read again without lingering. */
  private lastReadFull = true;
  private stopping = false;
  private readonly wake = new WakeSignal();
  private readonly processor: KeyedBatchProcessor;
  private readonly retrying: RetryingKeys;
  private unsubscribe: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly deps: RunnerDependencies,
    options: RunnerOptions = {},
  ) {
    this.options = { ...RUNNER_DEFAULTS, ...definedOnly(definition.options ?? {}), ...definedOnly(options) };
    this.logger = (deps.logger ?? deps.context.logger).child({ pipeline: definition.name });
    this.stats = new PipelineMetricsRecorder(definition.name);
    this.waiters = new CaughtUpWaiters(definition.name);
    const { concurrency, maxAttempts, initialBackoffMs, maxBackoffMs, random } = this.options;
    const { context, deadLetters, checkpoints } = deps;
    const { stats, logger } = this;
    const attempts = new RecordAttempts({ definition, context, deadLetters, stats, logger, retry: { maxAttempts, initialBackoffMs, maxBackoffMs, random } });
    this.processor = new KeyedBatchProcessor({ definition, context, deadLetters, attempts, stats, logger, concurrency });
    this.retrying = new RetryingKeys({
      attempts,
      unit: (work) => (checkpoints.atomically ? checkpoints.atomically(work) : work()),
      stats,
      logger,
      onSettled: () => this.wake.notify(),
      options: { ...this.options },
    });
  }

  /** The pipeline's name. */
  get name(): string {
    return this.definition.name;
  }

  /** Starts tailing the source from the stored checkpoint; resolves at once. Idempotent. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    this.wake.reset();
    this.retrying.restart();
    this.unsubscribe = this.deps.source.onAppend(() => this.wake.notify());
    this.loop = this.run().catch((error: unknown) => this.logger.error('pipeline runner stopped unexpectedly', { error }));
  }

  /**
   * Abandons retries (waits for an attempt or park under way), finishes the batch in flight,
   * checkpoints what is finished (never beyond an unfinished record), then stops timers and
   * listeners. Unfinished records are read again from the checkpoint on the next start.
   */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake.interrupt();
    const retries = this.retrying.stop();
    await this.loop;
    await retries;
    await this.commitFinished();
    this.loop = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiters.stopped();
  }

  /** Resolves once every record readable when called has been processed (applied or parked; a retrying one is not). */
  whenCaughtUp(timeoutMs = 30_000): Promise<void> {
    if (!this.loop || this.stopping) {
      return Promise.reject(new NexusError(RUNNER_ERRORS.NOT_RUNNING, `pipeline ${this.definition.name} is not running`));
    }
    const caughtUp = this.waiters.wait(timeoutMs);
    this.wake.notify();
    return caughtUp;
  }

  metrics(): PipelineMetrics {
    return this.stats.snapshot();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      await this.wake.wait(this.options.idlePollMs, true);
      if (this.stopping) break;
      if (this.options.lingerMs > 0 && !this.lastReadFull) {
        // Not woken by appends meanwhile: only stop() ends the linger early.
        await this.wake.wait(this.options.lingerMs, false);
        if (this.stopping) break;
      }
      this.wake.pending = false;
      try {
        await this.step();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.stats.sourceFailures += 1;
        this.wake.pending = true;
        const delayMs = backoffDelayMs(failures, this.options.initialBackoffMs, this.options.maxFailureBackoffMs, this.options.random);
        this.logger.error('pipeline source or checkpoint failed; retrying', { error, failures, delayMs });
        await this.wake.wait(delayMs, false);
      }
    }
  }

  /** One read; processes and checkpoints a non-empty batch. Throws on source/store failures. */
  private async step(): Promise<void> {
    const { source, checkpoints } = this.deps;
    if (this.position === undefined) {
      this.position = await checkpoints.get(this.definition.name);
      this.committed = this.position;
      this.stats.lastPosition = this.position;
    }
    // Keys that finished are forgotten before the batch asks the dead-letter store about its keys.
    this.retrying.reap();
    // Finished records not checkpointed yet (retries done since, or the store failed): checkpoint them.
    const finished = this.retrying.checkpointFor(this.position);
    if (this.committed < finished) await this.commit(finished);
    if (this.retrying.full) {
      // Back-pressure: read nothing until a retrying key finishes (it wakes the loop).
      this.lastReadFull = true;
      return;
    }
    const read = this.waiters.readStarted();
    const batch = await source.read(this.position, this.options.batchSize);
    this.lastReadFull = batch.length >= this.options.batchSize;
    const last = batch.at(-1);
    if (last === undefined) {
      this.stats.lagRecords = this.retrying.waitingRecords;
      this.stats.lagMs = 0;
      if (this.retrying.retryingKeys > 0) return;
      this.waiters.caughtUp(read);
      return;
    }
    this.wake.pending = true;
    this.stats.batches += 1;
    await this.measureLag(batch.length, last);
    if (checkpoints.atomically) {
      // The batch's writes and its checkpoint commit together; if that fails, nothing of the
      // batch is kept (its handoffs included) and it is processed again (sinks are idempotent).
      let checkpoint = this.committed;
      const handoffs = await checkpoints.atomically(async () => {
        const unfinished = await this.processor.process(batch, this.retrying);
        checkpoint = this.retrying.checkpointFor(last.position, unfinished);
        await checkpoints.set(this.definition.name, checkpoint);
        return unfinished;
      });
      this.retrying.accept(handoffs);
      this.position = last.position;
      this.committed = Math.max(this.committed, checkpoint);
      this.stats.lastPosition = this.committed;
      return;
    }
    this.retrying.accept(await this.processor.process(batch, this.retrying));
    this.position = last.position;
    await this.commit(this.retrying.checkpointFor(last.position));
  }

  /** On stop: checkpoints the finished records, and makes the next start read the rest again. */
  private async commitFinished(): Promise<void> {
    if (this.position === undefined) return;
    try {
      const finished = this.retrying.checkpointFor(this.position);
      if (this.committed < finished) await this.commit(finished);
    } catch (error) {
      this.logger.error('pipeline checkpoint failed on stop; the next start replays from the last one', { error });
    }
    if (this.retrying.waitingRecords > 0 || this.committed < this.position) {
      this.position = undefined;
      this.processor.reset();
    }
    this.retrying.clear();
  }

  private async commit(position: number): Promise<void> {
    await this.deps.checkpoints.set(this.definition.name, position);
    this.committed = position;
    this.stats.lastPosition = position;
  }

  private async measureLag(batchLength: number, newest: SourceRecord): Promise<void> {
    const { source, context } = this.deps;
    try {
      const head = isHeadAware(source) ? await source.headPosition() : newest.position;
      this.stats.lagRecords = batchLength + this.retrying.waitingRecords + Math.max(0, head - newest.position);
      const { occurredAt } = await context.codec.decodeEnvelope(newest.record);
      this.stats.lagMs = Math.max(0, Date.now() - Date.parse(occurredAt));
    } catch {
      // Metrics are best effort: an undecodable record is the pipeline's to report and park.
    }
  }

}

function isHeadAware(source: RecordSource): source is HeadAwareRecordSource {
  return typeof (source as Partial<HeadAwareRecordSource>).headPosition === 'function';
}
