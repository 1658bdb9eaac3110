import type { CheckpointStore } from '../checkpoint/CheckpointStore';
import type { DeadLetterStore } from '../deadletter/DeadLetterStore';
import { NexusError } from '../errors/NexusError';
import type { Logger } from '../logging/Logger';
import type { RecordSource, SourceRecord } from '../streams/RecordSource';
import { KeyedBatchProcessor } from './KeyedBatchProcessor';
import { PIPELINE_DEFAULTS } from './PipelineDefinition';
import type { PipelineContext, PipelineDefinition, PipelineOptions } from './PipelineDefinition';
import { PipelineMetricsRecorder } from './PipelineMetrics';
import type { PipelineMetrics } from './PipelineMetrics';
import { backoffDelayMs } from './retryWithBackoff';
import { WakeSignal } from './WakeSignal';

/** Tunables of {@link EmbeddedPipelineRunner}: the pipeline's own options win over the runner defaults, these win over both. */
export interface RunnerOptions extends PipelineOptions {
  /** Read the source this often when nothing wakes the runner (writers in other processes). @defaultValue 1000 */
  idlePollMs?: number;
  /**
   * After a batch smaller than `batchSize` (caught up), wait this long before the next read, so
   * records committed meanwhile share one batch: fewer reads, transactions and commits per record
   * under steady load, at the price of up to this much latency. @defaultValue 0
   */
  lingerMs?: number;
  /** Upper bound of the delay after a failed read or checkpoint write. @defaultValue 5000 */
  maxFailureBackoffMs?: number;
  /** Jitter source in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

export const RUNNER_DEFAULTS: Required<RunnerOptions> = {
  ...PIPELINE_DEFAULTS,
  idlePollMs: 1000,
  lingerMs: 0,
  maxFailureBackoffMs: 5000,
  random: Math.random,
};

/** What the runner needs: its source, its state stores and the pipeline's context. */
export interface RunnerDependencies {
  source: RecordSource;
  checkpoints: CheckpointStore;
  deadLetters: DeadLetterStore;
  context: PipelineContext;
  /** @defaultValue context.logger */
  logger?: Logger;
}

/** A source that can tell its highest position; used for lag when available. */
export interface HeadAwareRecordSource extends RecordSource {
  headPosition(): Promise<number>;
}

export const RUNNER_ERRORS = {
  NOT_RUNNING: 'PIPELINE_RUNNER_NOT_RUNNING',
  CAUGHT_UP_TIMEOUT: 'PIPELINE_CAUGHT_UP_TIMEOUT',
} as const;

interface CaughtUpWaiter {
  afterRead: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs one pipeline in this process against a tail-able source.
 *
 * Guarantees: at-least-once (the checkpoint moves only after a whole batch is processed, so a
 * crash replays at most one batch; sinks are idempotent); records of one key strictly in order,
 * different keys concurrently up to `concurrency`; a record that fails `maxAttempts` times is
 * parked with its original bytes, and later records of its key park behind it (checked in the
 * dead-letter store, so a redrive from another process unblocks the key); source and checkpoint
 * failures are logged and retried with backoff, never thrown.
 */
export class EmbeddedPipelineRunner {
  private readonly options: Required<RunnerOptions>;
  private readonly logger: Logger;
  private readonly stats: PipelineMetricsRecorder;
  private readonly waiters = new Set<CaughtUpWaiter>();
  private position: number | undefined;
  private committed = 0;
  private reads = 0;
  /** Was the last read a full batch? Then more is waiting: read again without lingering. */
  private lastReadFull = true;
  private stopping = false;
  private readonly wake = new WakeSignal();
  private readonly processor: KeyedBatchProcessor;
  private unsubscribe: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly deps: RunnerDependencies,
    options: RunnerOptions = {},
  ) {
    this.options = { ...RUNNER_DEFAULTS, ...defined(definition.options ?? {}), ...defined(options) };
    this.logger = (deps.logger ?? deps.context.logger).child({ pipeline: definition.name });
    this.stats = new PipelineMetricsRecorder(definition.name);
    const { concurrency, maxAttempts, initialBackoffMs, maxBackoffMs, random } = this.options;
    this.processor = new KeyedBatchProcessor({
      definition,
      context: deps.context,
      deadLetters: deps.deadLetters,
      stats: this.stats,
      logger: this.logger,
      concurrency,
      retry: { maxAttempts, initialBackoffMs, maxBackoffMs, random },
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
    this.unsubscribe = this.deps.source.onAppend(() => this.wake.notify());
    this.loop = this.run().catch((error: unknown) => this.logger.error('pipeline runner stopped unexpectedly', { error }));
  }

  /** Finishes the batch in flight (its checkpoint included), then stops timers and listeners. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake.interrupt();
    await this.loop;
    this.loop = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const waiter of this.waiters) this.settle(waiter, new NexusError(RUNNER_ERRORS.NOT_RUNNING, `pipeline ${this.definition.name} stopped`));
  }

  /** Resolves once every record readable when called has been processed (applied or parked). */
  whenCaughtUp(timeoutMs = 30_000): Promise<void> {
    if (!this.loop || this.stopping) {
      return Promise.reject(new NexusError(RUNNER_ERRORS.NOT_RUNNING, `pipeline ${this.definition.name} is not running`));
    }
    return new Promise((resolve, reject) => {
      const waiter: CaughtUpWaiter = {
        afterRead: this.reads,
        resolve,
        reject,
        timer: setTimeout(() => {
          const message = `pipeline ${this.definition.name} did not catch up within ${timeoutMs} ms`;
          this.settle(waiter, new NexusError(RUNNER_ERRORS.CAUGHT_UP_TIMEOUT, message, { details: { timeoutMs } }));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.wake.notify();
    });
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
    // A batch processed but not checkpointed (the store failed): checkpoint it, never reprocess it.
    if (this.committed < this.position) await this.commit(this.position);
    const read = ++this.reads;
    const batch = await source.read(this.position, this.options.batchSize);
    this.lastReadFull = batch.length >= this.options.batchSize;
    const last = batch.at(-1);
    if (last === undefined) {
      this.stats.lagRecords = 0;
      this.stats.lagMs = 0;
      for (const waiter of this.waiters) if (read > waiter.afterRead) this.settle(waiter);
      return;
    }
    this.wake.pending = true;
    this.stats.batches += 1;
    await this.measureLag(batch.length, last);
    if (checkpoints.atomically) {
      // The batch's writes and its checkpoint commit together; if that fails, nothing of the
      // batch is kept and it is processed again (sinks are idempotent).
      await checkpoints.atomically(async () => {
        await this.processor.process(batch);
        await checkpoints.set(this.definition.name, last.position);
      });
      this.position = last.position;
      this.committed = last.position;
      this.stats.lastPosition = last.position;
      return;
    }
    await this.processor.process(batch);
    this.position = last.position;
    await this.commit(last.position);
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
      this.stats.lagRecords = batchLength + Math.max(0, head - newest.position);
      const { occurredAt } = await context.codec.decodeEnvelope(newest.record);
      this.stats.lagMs = Math.max(0, Date.now() - Date.parse(occurredAt));
    } catch {
      // Metrics are best effort: an undecodable record is the pipeline's to report and park.
    }
  }

  private settle(waiter: CaughtUpWaiter, error?: Error): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}

function isHeadAware(source: RecordSource): source is HeadAwareRecordSource {
  return typeof (source as Partial<HeadAwareRecordSource>).headPosition === 'function';
}

function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
