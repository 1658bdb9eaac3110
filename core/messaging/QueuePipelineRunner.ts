import { NexusError } from '../errors/NexusError';
import { CaughtUpWaiters } from '../pipeline/CaughtUpWaiters';
import type { Logger } from '../logging/Logger';
import type { PipelineContext, PipelineDefinition } from '../pipeline/PipelineDefinition';
import { PipelineMetricsRecorder } from '../pipeline/PipelineMetrics';
import type { PipelineMetrics } from '../pipeline/PipelineMetrics';
import { backoffDelayMs } from '../pipeline/retryWithBackoff';
import { RUNNER_DEFAULTS, RUNNER_ERRORS } from '../pipeline/RunnerOptions';
import type { RunnerOptions } from '../pipeline/RunnerOptions';
import { WakeSignal } from '../pipeline/WakeSignal';
import { processQueueBatch } from './QueueBatch';
import type { FailedMessage } from './QueueBatch';
import type { SubscriberQueue } from './SubscriberQueue';

/** Tunables of {@link QueuePipelineRunner}: the {@link RunnerOptions} that apply to a queue. */
export type QueueRunnerOptions = Pick<RunnerOptions, 'concurrency' | 'batchSize' | 'idlePollMs' | 'initialBackoffMs' | 'maxBackoffMs' | 'maxFailureBackoffMs' | 'random'>;

/** Defaults of {@link QueueRunnerOptions}: the embedded runner's, but smaller batches. */
export const QUEUE_RUNNER_DEFAULTS: Required<QueueRunnerOptions> = {
  concurrency: RUNNER_DEFAULTS.concurrency,
  /** @defaultValue 100: a batch is hidden only for the visibility timeout, so it must finish well within it. */
  batchSize: 100,
  idlePollMs: RUNNER_DEFAULTS.idlePollMs,
  initialBackoffMs: RUNNER_DEFAULTS.initialBackoffMs,
  maxBackoffMs: RUNNER_DEFAULTS.maxBackoffMs,
  maxFailureBackoffMs: RUNNER_DEFAULTS.maxFailureBackoffMs,
  random: RUNNER_DEFAULTS.random,
};

/** What {@link QueuePipelineRunner} needs. */
export interface QueueRunnerDependencies {
  queue: SubscriberQueue;
  context: PipelineContext;
  /** @defaultValue context.logger */
  logger?: Logger;
}

/**
 * Runs a pipeline whose source is a subscriber queue, in this process: receive a batch, run it
 * through the pipe ({@link processQueueBatch}: keys concurrently up to `concurrency`, one key in
 * order), ack what finished, give back what failed.
 *
 * Guarantees: at-least-once (a message is acked only after the pipe finished it; a crash before
 * the ack redelivers it after the visibility timeout, and sinks are idempotent). A failed message
 * and the rest of its key in the batch are given back with a full-jitter exponential backoff on
 * their receive count (`changeVisibility`), so retries survive restarts and are counted by the
 * queue; on its `maxReceiveCount`-th failure it is given back at once and the queue's next
 * receive moves it to the dead-letter queue (redrive it from there). Order per key is the
 * queue's: a per-key queue holds a key's later messages while one is in flight; this runner
 * never lets a later message of a key overtake a failed one within a batch. Messages given back
 * behind a failed one count a receive too (as on SQS FIFO), so those received with a message
 * that is dead-lettered follow it into the dead-letter queue, in order; later ones flow on. The
 * queue's `maxReceiveCount` replaces `maxAttempts`. Receive and ack failures are logged and retried
 * with backoff, never thrown.
 */
export class QueuePipelineRunner {
  private readonly options: Required<QueueRunnerOptions>;
  private readonly logger: Logger;
  private readonly stats: PipelineMetricsRecorder;
  private readonly wake = new WakeSignal();
  private readonly waiters: CaughtUpWaiters;
  private stopping = false;
  /** When the earliest message given back becomes receivable again: the loop wakes then. */
  private retryAt: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly deps: QueueRunnerDependencies,
    options: QueueRunnerOptions = {},
  ) {
    // The queue's maxReceiveCount takes the place of maxAttempts; log-only tunables (linger, retrying keys) do not apply.
    this.options = { ...QUEUE_RUNNER_DEFAULTS, ...applicable(definition.options ?? {}), ...applicable(options) };
    this.logger = (deps.logger ?? deps.context.logger).child({ pipeline: definition.name, queue: deps.queue.name });
    this.stats = new PipelineMetricsRecorder(definition.name);
    this.waiters = new CaughtUpWaiters(definition.name);
  }

  get name(): string {
    return this.definition.name;
  }

  /** Starts receiving; resolves at once. Idempotent. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    this.wake.reset();
    this.unsubscribe = this.deps.queue.onMessage?.(() => this.wake.notify());
    this.loop = this.run().catch((error: unknown) => this.logger.error('queue runner stopped unexpectedly', { error }));
  }

  /** Finishes the batch in flight (acks and give-backs included), then stops. Nothing received stays hidden beyond that. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake.interrupt();
    await this.loop;
    this.loop = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiters.stopped();
  }

  /** Resolves once the queue is empty (nothing visible, nothing in flight) after a receive that started after the call; dead letters do not count. */
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
      await this.wake.wait(this.idleWaitMs(), true);
      if (this.stopping) break;
      this.wake.pending = false;
      try {
        await this.step();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.stats.sourceFailures += 1;
        this.wake.pending = true;
        const delayMs = backoffDelayMs(failures, this.options.initialBackoffMs, this.options.maxFailureBackoffMs, this.options.random);
        this.logger.error('queue receive, ack or give-back failed; retrying', { error, failures, delayMs });
        await this.wake.wait(delayMs, false);
      }
    }
  }

  private async step(): Promise<void> {
    const { queue, context } = this.deps;
    const read = this.waiters.readStarted();
    const messages = await queue.receive(this.options.batchSize);
    const newest = messages.at(-1);
    if (newest === undefined) {
      const depth = await queue.depth();
      this.stats.lagRecords = depth.visible + depth.inFlight;
      this.stats.lagMs = 0;
      if (depth.visible + depth.inFlight > 0) return;
      this.waiters.caughtUp(read);
      return;
    }
    this.wake.pending = true;
    this.stats.batches += 1;
    this.stats.lagMs = Math.max(0, Date.now() - newest.sentAtMs);
    const verdict = await processQueueBatch(messages, { definition: this.definition, context, stats: this.stats, concurrency: this.options.concurrency });
    if (verdict.done.length > 0) {
      await queue.ack(verdict.done.map((message) => message.receiptHandle));
      this.stats.lastPosition = Math.max(this.stats.lastPosition, ...verdict.done.map((message) => message.sequence));
    }
    for (const failed of verdict.failed) await this.giveBack(failed);
  }

  /** Hides a failed message and the rest of its key for its backoff; on its last receive, returns it at once for the queue to dead-letter. */
  private async giveBack({ message, error, behind }: FailedMessage): Promise<void> {
    const { queue } = this.deps;
    const { receiveCount } = message;
    const last = receiveCount >= queue.settings.maxReceiveCount;
    const delayMs = last ? 0 : backoffDelayMs(receiveCount, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    const fields = { error, messageId: message.messageId, key: message.groupKey, receiveCount, behind: behind.length };
    if (last) {
      this.stats.recordsIn += 1;
      this.stats.recordsFailed += 1;
      this.stats.recordsParked += 1;
      this.logger.error('message failed on its last receive; the queue moves it to its dead-letter queue', fields);
    } else {
      this.stats.retries += 1;
      this.logger.warn('message failed; it is redelivered after its backoff', { ...fields, delayMs });
    }
    await queue.changeVisibility([message, ...behind].map((given) => given.receiptHandle), delayMs);
    const at = Date.now() + delayMs;
    this.retryAt = this.retryAt === undefined ? at : Math.min(this.retryAt, at);
  }

  private idleWaitMs(): number {
    if (this.retryAt === undefined) return this.options.idlePollMs;
    const untilRetry = this.retryAt - Date.now();
    if (untilRetry <= 0) {
      this.retryAt = undefined;
      this.wake.pending = true;
      return 0;
    }
    return Math.min(this.options.idlePollMs, untilRetry);
  }

}

/** The options of `options` that apply to a queue and are set. */
function applicable(options: QueueRunnerOptions): Partial<QueueRunnerOptions> {
  const keys = Object.keys(QUEUE_RUNNER_DEFAULTS) as (keyof QueueRunnerOptions)[];
  return Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]])) as Partial<QueueRunnerOptions>;
}
