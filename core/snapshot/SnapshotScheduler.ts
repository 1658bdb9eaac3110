import { silentLogger } from '../logging/Logger';
import type { Logger } from '../logging/Logger';
import type { SnapshotOutcome, SnapshotWriter } from './SnapshotWriter';

/** A snapshot asked for by a trigger. */
export interface SnapshotRequest {
  aggregateType: string;
  aggregateId: string;
  /** The aggregate version after the append that fired the trigger. */
  version: number;
  /** Which trigger fired. */
  reason: 'events' | 'size';
}

/**
 * Takes snapshot requests from the command path. `request` returns at once and never throws:
 * the snapshot is made later, and a lost request costs nothing but a longer load until the next
 * trigger or the sweep.
 */
export interface SnapshotScheduler {
  request(request: SnapshotRequest): void;
}

/** What one request came to, for metrics and the benchmark. */
export interface SnapshotRequestSettled {
  request: SnapshotRequest;
  /** Undefined when it failed. */
  outcome?: SnapshotOutcome;
  error?: unknown;
  /** From `request` to the end of the write. */
  elapsedMs: number;
}

/** Options of {@link BackgroundSnapshotScheduler}. */
export interface BackgroundSnapshotSchedulerOptions {
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** Snapshots written at the same time. @defaultValue 1 */
  concurrency?: number;
  /** Called once per request settled (also for failures). */
  onSettled?: (settled: SnapshotRequestSettled) => void;
  /** Milliseconds now. @defaultValue performance.now */
  now?: () => number;
}

/** Defaults of {@link BackgroundSnapshotSchedulerOptions}. */
export const BACKGROUND_SNAPSHOT_DEFAULTS = {
  /** @defaultValue 1 */
  concurrency: 1,
} as const;

/**
 * Makes requested snapshots on this process's event loop, after the request's caller has moved on
 * (the command's answer is never delayed by it): requests wait in a queue, one per aggregate
 * (a second request for a waiting aggregate is merged into it: the writer folds to the current
 * version anyway), written `concurrency` at a time. A failed write is logged at warn and dropped.
 *
 * On Lambda the work runs after the response only while the container is thawed: it finishes in
 * a later invocation or, if the container is recycled first, is lost, which the next trigger or
 * the sweep covers.
 */
export class BackgroundSnapshotScheduler implements SnapshotScheduler {
  private readonly waiting = new Map<string, { request: SnapshotRequest; at: number }>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly now: () => number;
  private running = 0;
  private closed = false;

  constructor(
    private readonly writer: SnapshotWriter,
    private readonly options: BackgroundSnapshotSchedulerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.concurrency = options.concurrency ?? BACKGROUND_SNAPSHOT_DEFAULTS.concurrency;
    this.now = options.now ?? ((): number => performance.now());
  }

  request(request: SnapshotRequest): void {
    if (this.closed || this.waiting.has(request.aggregateId)) return;
    this.waiting.set(request.aggregateId, { request, at: this.now() });
    // Never in the caller's turn: the command's answer goes out first.
    setImmediate(() => this.drain());
  }

  /** Requests waiting or being written. */
  get pending(): number {
    return this.waiting.size + this.running;
  }

  /** Resolves once no request waits or is being written. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Accepts no more requests and waits for those accepted. */
  async close(): Promise<void> {
    this.closed = true;
    await this.whenIdle();
  }

  private drain(): void {
    while (this.running < this.concurrency && this.waiting.size > 0) {
      const [aggregateId, entry] = this.waiting.entries().next().value as [string, { request: SnapshotRequest; at: number }];
      this.waiting.delete(aggregateId);
      this.running += 1;
      void this.write(entry.request, entry.at).finally(() => {
        this.running -= 1;
        this.drain();
        if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async write(request: SnapshotRequest, at: number): Promise<void> {
    let settled: SnapshotRequestSettled;
    try {
      const outcome = await this.writer.snapshot(request.aggregateType, request.aggregateId);
      settled = { request, outcome, elapsedMs: this.now() - at };
      this.logger.debug('snapshot written', { ...request, outcome, elapsedMs: settled.elapsedMs });
    } catch (error) {
      settled = { request, error, elapsedMs: this.now() - at };
      this.logger.warn('snapshot failed; the next trigger or the sweep makes it', { ...request, error });
    }
    try {
      this.options.onSettled?.(settled);
    } catch (error) {
      this.logger.warn('snapshot observer failed', { error });
    }
  }
}
