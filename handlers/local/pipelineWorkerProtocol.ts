import type { RunnerOptions } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { LogLevel } from '../../core/logging/Logger';
import type { MemoryUsageMb } from './memoryUsageMb';

/** What the pipeline worker is started with (structured-cloned into the thread). */
export interface PipelineWorkerData {
  dataDir: string;
  logLevel: LogLevel;
  synchronous: 'NORMAL' | 'FULL';
  runner?: RunnerOptions;
  /** Runs only these of the declared pipelines; absent: every one. */
  pipelineNames?: string[];
  /** The worker thread's nice value (Linux); 0 leaves it as the process's. */
  nice: number;
  /** How often the worker runs a PASSIVE WAL checkpoint of nexus.db; 0 turns it off. */
  walCheckpointMs: number;
  /**
   * One Int32 shared with the main thread, the wake-up signal: the main thread sets it to 1 and
   * notifies after appends (only when it was 0); the worker waits on it and clears it before
   * waking the runners.
   */
  wakePending: SharedArrayBuffer;
}

/** A request of the main thread that the worker answers with a {@link WorkerReply} of the same id. */
export type WorkerRequest =
  | { type: 'request'; id: number; op: 'metrics' }
  | { type: 'request'; id: number; op: 'heap' }
  | { type: 'request'; id: number; op: 'caughtUp'; timeoutMs?: number }
  | { type: 'request'; id: number; op: 'stop' };

/** Messages from the main thread to the worker. */
export type ToWorker = WorkerRequest;

/** The answer to one {@link WorkerRequest}. */
export type WorkerReply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: { code: string; message: string } };

/** Messages from the worker to the main thread. */
export type FromWorker = { type: 'ready' } | { type: 'failed'; error: { code: string; message: string } } | WorkerReply;

/** The worker thread's own V8 heap, in MB (RSS is the process's, shared by every thread). */
export type ThreadHeap = Pick<MemoryUsageMb, 'heapUsed' | 'heapTotal'>;
