import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { NexusError } from '../../core/errors/NexusError';
import type { Logger } from '../../core/logging/Logger';
import type { PipelineMetrics } from '../../core/pipeline/PipelineMetrics';
import type { FromWorker, PipelineWorkerData, ToWorker, ThreadHeap, WorkerReply, WorkerRequest } from './pipelineWorkerProtocol';

/** The pipeline worker thread could not start, failed, or stopped before answering. */
export const PIPELINE_WORKER_FAILED = 'PIPELINE_WORKER_FAILED';

/** How long a stopped worker may take to end by itself before it is terminated. */
const STOP_GRACE_MS = 2_000;

type RequestOp = { op: 'metrics' } | { op: 'heap' } | { op: 'caughtUp'; timeoutMs?: number } | { op: 'stop' };

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The main thread's handle on the pipeline worker (handlers/local/pipelineWorkerThread.ts): starts it,
 * relays wake-ups after appends, asks for metrics and catch-up, and stops it gracefully (the
 * batch in flight finishes with its checkpoint). At-least-once delivery, per-key order and
 * parking are the runners' own, unchanged: only the thread they run on differs.
 *
 * @example
 * const worker = await PipelineWorker.start({ dataDir, logLevel: 'info', synchronous: 'NORMAL', walCheckpointMs: 1000, nice: 0 }, logger);
 * eventStore.onAppend(() => worker.wake());
 */
export class PipelineWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private stopping = false;
  private readonly wakePending: Int32Array;

  private constructor(
    private readonly worker: Worker,
    wakePending: SharedArrayBuffer,
    logger: Logger,
  ) {
    this.wakePending = new Int32Array(wakePending);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'reply') this.settle(message);
    });
    worker.on('error', (error) => {
      logger.error('pipeline worker failed', { error });
      this.failAll(error);
    });
    worker.on('exit', (exitCode) => {
      this.exited = true;
      // The HTTP side keeps serving; without the worker nothing is projected, so say so loudly.
      if (!this.stopping) logger.error('pipeline worker exited unexpectedly: pipelines are not running', { exitCode });
      this.failAll(new Error('the pipeline worker exited'));
    });
  }

  /** Starts the worker; resolves once every runner has started. */
  static start(settings: Omit<PipelineWorkerData, 'wakePending'>, logger: Logger): Promise<PipelineWorker> {
    const data: PipelineWorkerData = { ...settings, wakePending: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT) };
    const worker = spawn(data);
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'ready') {
          cleanup();
          resolve(new PipelineWorker(worker, data.wakePending, logger));
        } else if (message.type === 'failed') {
          cleanup();
          void worker.terminate();
          reject(new NexusError(PIPELINE_WORKER_FAILED, `pipeline worker did not start: ${message.error.message}`, { details: { code: message.error.code } }));
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(new NexusError(PIPELINE_WORKER_FAILED, `pipeline worker did not start: ${error.message}`, { cause: error }));
      };
      const onExit = (exitCode: number): void => {
        cleanup();
        reject(new NexusError(PIPELINE_WORKER_FAILED, `pipeline worker exited with ${exitCode} before it started`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /**
   * Tells the runners that events were appended: sets the shared signal and notifies the
   * waiting worker, unless a wake-up it has not yet taken is pending (its read covers these).
   */
  wake(): void {
    if (Atomics.compareExchange(this.wakePending, 0, 0, 1) === 0) Atomics.notify(this.wakePending, 0);
  }

  /** Each pipeline's metrics, by pipeline name. */
  async metrics(): Promise<Record<string, PipelineMetrics>> {
    return (await this.request({ op: 'metrics' })) as Record<string, PipelineMetrics>;
  }

  /** The worker thread's heap: with the main thread's, it tells a JS leak from native growth. */
  async heap(): Promise<ThreadHeap> {
    return (await this.request({ op: 'heap' })) as ThreadHeap;
  }

  /** Resolves once every runner has processed what was readable when called. */
  async whenCaughtUp(timeoutMs?: number): Promise<void> {
    await this.request(timeoutMs === undefined ? { op: 'caughtUp' } : { op: 'caughtUp', timeoutMs });
  }

  /** Finishes the batches in flight, closes the worker's connections and ends the thread. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    try {
      await this.request({ op: 'stop' });
      await this.exitWithin(STOP_GRACE_MS);
    } finally {
      if (!this.exited) await this.worker.terminate();
    }
  }

  /** Resolves when the thread has ended by itself, or after `ms`. */
  private exitWithin(ms: number): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private request(op: RequestOp): Promise<unknown> {
    if (this.exited) return Promise.reject(new NexusError(PIPELINE_WORKER_FAILED, 'the pipeline worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'request', id, ...op } as WorkerRequest satisfies ToWorker);
    });
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new NexusError(reply.error.code, reply.error.message));
  }

  private failAll(cause: unknown): void {
    for (const pending of this.pending.values()) {
      pending.reject(new NexusError(PIPELINE_WORKER_FAILED, 'the pipeline worker stopped before answering', { cause }));
    }
    this.pending.clear();
  }
}

// Run from TypeScript sources (tsx, jest) the thread registers tsx's CommonJS loader before
// requiring its entry; compiled, the entry is plain JavaScript.
function spawn(data: PipelineWorkerData): Worker {
  const fromSources = __filename.endsWith('.ts');
  const entry = join(__dirname, fromSources ? 'pipelineWorkerThread.ts' : 'pipelineWorkerThread.js');
  if (!fromSources) return new Worker(entry, { workerData: data });
  const source = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`;
  // No loader flags (tsx is required above), but keep --cpu-prof* so the worker can be profiled too.
  const execArgv = process.execArgv.filter((flag) => flag.startsWith('--cpu-prof'));
  return new Worker(source, { eval: true, workerData: data, execArgv });
}
