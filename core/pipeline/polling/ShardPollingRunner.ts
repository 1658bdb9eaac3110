import type { DeadLetterStore } from '../../deadletter/DeadLetterStore';
import { SHARD_END } from '../../leases/LeaseStore';
import type { ShardLease } from '../../leases/LeaseStore';
import type { ShardLeaseCoordinator } from '../../leases/ShardLeaseCoordinator';
import type { ShardReader, ShardRecord } from '../../leases/ShardReader';
import type { Logger } from '../../logging/Logger';
import { Cancellation } from '../Cancellation';
import { InvocationBatch } from '../lambda/InvocationBatch';
import type { LambdaSourceRecord } from '../lambda/LambdaSourceRecord';
import { PIPELINE_DEFAULTS } from '../PipelineDefinition';
import type { PipelineContext, PipelineDefinition } from '../PipelineDefinition';
import { PipelineMetricsRecorder } from '../PipelineMetrics';
import type { PipelineMetrics } from '../PipelineMetrics';
import { RecordAttempts } from '../RecordAttempts';
import { definedOnly } from '../../options/definedOnly';

/** Tunables of {@link ShardPollingRunner}; the pipeline's own options give batch size, attempts and backoff. */
export interface ShardPollingRunnerOptions {
  /** Pause after a read that found nothing new (Kinesis allows 5 reads per second per shard, shared by all consumers). @defaultValue 1000 */
  idlePollMs?: number;
  /** Pause before reading a shard again from its checkpoint after records were left unfinished. @defaultValue 1000 */
  retryPauseMs?: number;
  /** How often leases are synced, renewed and taken: well within the coordinator's lease duration. @defaultValue 3000 */
  leaseTickMs?: number;
  /** Jitter source in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

const DEFAULTS: Required<ShardPollingRunnerOptions> = { idlePollMs: 1000, retryPauseMs: 1000, leaseTickMs: 3000, random: Math.random };

/** What a {@link ShardPollingRunner} works with. */
export interface ShardPollingRunnerDependencies {
  coordinator: ShardLeaseCoordinator;
  reader: ShardReader;
  deadLetters: DeadLetterStore;
  context: PipelineContext;
  /** A name for the stream in logs and dead letters, e.g. `kinesis nexus-dev-core`. */
  sourceName: string;
  /** @defaultValue context.logger */
  logger?: Logger;
}

/**
 * Runs a pipeline on a sharded stream outside Lambda (a container, `npm start --backend aws`,
 * tests): the shards are shared among workers by leases ({@link ShardLeaseCoordinator}), and
 * each shard this worker holds is read in a loop of its own, after the lease's checkpoint.
 *
 * Each page goes through the Lambda runner's {@link InvocationBatch}: order per key, keys
 * concurrently, retry then park, park-behind across pages (the dead-letter store is asked). The
 * checkpoint moves to the last record of a page once all of it is finished; when records are
 * left unfinished (the dead-letter store failed), to just before the lowest of them, and the
 * shard is read again from there after a pause, so nothing is skipped. A shard read to its end
 * is checkpointed SHARD_END, which makes its children ready. A lease lost (taken over) stops its
 * loop at once; its records may be processed twice, never skipped (sinks are idempotent).
 */
export class ShardPollingRunner {
  private readonly settings: Required<ShardPollingRunnerOptions>;
  private readonly logger: Logger;
  private readonly stats: PipelineMetricsRecorder;
  private readonly attempts: RecordAttempts;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly loops = new Map<string, { stop: Cancellation; done: Promise<void> }>();
  private running: Cancellation | undefined;
  private ticking: Promise<void> | undefined;
  /** Shards whose last read found nothing new, for {@link whenCaughtUp}. */
  private readonly idle = new Set<string>();

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly deps: ShardPollingRunnerDependencies,
    options: ShardPollingRunnerOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...definedOnly(options) };
    const pipeline = { ...PIPELINE_DEFAULTS, ...definedOnly(definition.options ?? {}) };
    this.concurrency = pipeline.concurrency;
    this.batchSize = pipeline.batchSize;
    this.logger = (deps.logger ?? deps.context.logger).child({ pipeline: definition.name, worker: deps.coordinator.workerId });
    this.stats = new PipelineMetricsRecorder(definition.name);
    this.attempts = new RecordAttempts({
      definition,
      context: deps.context,
      deadLetters: deps.deadLetters,
      stats: this.stats,
      logger: this.logger,
      retry: { maxAttempts: pipeline.maxAttempts, initialBackoffMs: pipeline.initialBackoffMs, maxBackoffMs: pipeline.maxBackoffMs, random: this.settings.random },
      origin: (record) => (record as Partial<LambdaSourceRecord>).origin,
    });
  }

  get name(): string {
    return this.definition.name;
  }

  /** Starts the lease loop; shard loops start and stop as leases come and go. */
  start(): void {
    if (this.running) return;
    const running = new Cancellation();
    this.running = running;
    this.ticking = (async () => {
      do {
        await this.tick();
      } while (await running.delay(this.settings.leaseTickMs));
    })();
  }

  /**
   * Stops every loop and waits for pages under way, then releases the leases so that other
   * workers take them at once (`releaseLeases: false` leaves them to expire, as a crash would).
   */
  async stop(options: { releaseLeases?: boolean } = {}): Promise<void> {
    this.running?.cancel();
    await this.ticking;
    for (const loop of this.loops.values()) loop.stop.cancel();
    await Promise.all([...this.loops.values()].map((loop) => loop.done));
    this.loops.clear();
    this.running = undefined;
    if (options.releaseLeases === false) return;
    await this.deps.coordinator.releaseAll().catch((error: unknown) => this.logger.warn('could not release leases; they expire instead', { error }));
  }

  /** Resolves once every shard this worker holds had a read that found nothing new. */
  async whenCaughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.idle.clear();
    while ([...this.loops.keys()].some((shardId) => !this.idle.has(shardId)) || this.loops.size === 0) {
      if (Date.now() > deadline) throw new Error(`pipeline ${this.name} did not catch up within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  metrics(): PipelineMetrics {
    return this.stats.snapshot();
  }

  /** Shards this worker reads now. */
  get shards(): string[] {
    return [...this.loops.keys()];
  }

  private async tick(): Promise<void> {
    try {
      const { ready, lost } = await this.deps.coordinator.tick();
      for (const shardId of lost) this.loops.get(shardId)?.stop.cancel();
      for (const lease of ready) if (!this.loops.has(lease.shardId)) this.startShard(lease);
    } catch (error) {
      this.stats.sourceFailures += 1;
      this.logger.error('lease tick failed; retrying at the next tick', { error });
    }
  }

  private startShard(lease: ShardLease): void {
    const stop = new Cancellation();
    const done = this.readShard(lease, stop)
      .catch((error: unknown) => this.logger.error('shard loop ended by an error; its lease is read again at the next tick', { error, shardId: lease.shardId }))
      .finally(() => {
        this.loops.delete(lease.shardId);
        this.idle.delete(lease.shardId);
      });
    this.loops.set(lease.shardId, { stop, done });
  }

  private async readShard(lease: ShardLease, stop: Cancellation): Promise<void> {
    const { coordinator, reader } = this.deps;
    let checkpoint = lease.checkpoint;
    while (!stop.cancelled) {
      let page;
      try {
        page = await reader.read(lease.shardId, checkpoint, this.batchSize);
      } catch (error) {
        this.stats.sourceFailures += 1;
        this.logger.warn('reading a shard failed; trying again', { error, shardId: lease.shardId });
        if (!(await stop.delay(this.settings.retryPauseMs))) return;
        continue;
      }
      if (page.millisBehindLatest !== undefined) this.stats.lagMs = page.millisBehindLatest;
      if (page.records.length === 0) {
        if (page.ended) {
          if (await coordinator.checkpoint(lease.shardId, SHARD_END)) this.logger.info('shard read to its end', { shardId: lease.shardId });
          return;
        }
        this.idle.add(lease.shardId);
        if (!(await stop.delay(this.settings.idlePollMs))) return;
        continue;
      }
      this.idle.delete(lease.shardId);
      const next = await this.processPage(lease.shardId, page.records, checkpoint, stop);
      if (next !== checkpoint && !(await coordinator.checkpoint(lease.shardId, next))) {
        this.logger.info('lease lost; this worker stops reading the shard', { shardId: lease.shardId });
        return;
      }
      const unfinished = next !== page.records[page.records.length - 1]?.sequenceNumber;
      checkpoint = next;
      if (unfinished && !(await stop.delay(this.settings.retryPauseMs))) return;
    }
  }

  /** Processes one page; returns the checkpoint it earned (the last finished record before any unfinished one). */
  private async processPage(shardId: string, page: readonly ShardRecord[], checkpoint: string, stop: Cancellation): Promise<string> {
    const records = page.map((record, index): LambdaSourceRecord => ({
      position: index + 1,
      key: record.key,
      record: record.data,
      itemIdentifier: record.sequenceNumber,
      shard: shardId,
      sequenceNumber: record.sequenceNumber,
      origin: `${this.deps.sourceName} ${shardId} sequence ${record.sequenceNumber}`,
    }));
    this.stats.batches += 1;
    const batch = new InvocationBatch({ definition: this.definition, deadLetters: this.deps.deadLetters, attempts: this.attempts, stats: this.stats, logger: this.logger, concurrency: this.concurrency }, 'lowest-per-shard', stop);
    const unfinished = await batch.process(records);
    if (unfinished.size === 0) return records[records.length - 1]?.sequenceNumber as string;
    const lowest = Math.min(...[...unfinished].map((record) => record.position));
    return lowest === 1 ? checkpoint : (records[lowest - 2]?.sequenceNumber as string);
  }
}
