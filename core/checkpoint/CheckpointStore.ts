import { NexusError } from '../errors/NexusError';

/** Error codes owned by the CheckpointStore port. */
export const CHECKPOINT_ERRORS = {
  /** The storage engine failed; retryable (the runner processes the batch again). */
  STORE_UNAVAILABLE: 'CHECKPOINT_STORE_UNAVAILABLE',
} as const;

/** The checkpoint store's engine failed. */
export class CheckpointStoreUnavailableError extends NexusError {
  constructor(operation: string, pipelineName: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(CHECKPOINT_ERRORS.STORE_UNAVAILABLE, `checkpoint ${operation} of pipeline ${pipelineName} failed: ${reason}`, { cause, details: { operation, pipelineName } });
  }
}

/** Where each pipeline has got to in its source. */
export interface CheckpointStore {
  /** The last fully processed position of `pipelineName`, or 0. */
  get(pipelineName: string): Promise<number>;
  /** Stores `position`; never moves a checkpoint backwards. */
  set(pipelineName: string, position: number): Promise<void>;
  /**
   * Optional. Runs `work` so that what it writes through stores sharing this store's engine
   * transaction (read models, streams, dead letters on the same SQLite connection) commits
   * together with the checkpoints it sets, and resolves once that is durable. A rejection means
   * nothing of it may be counted on: the caller processes the batch again (sinks are idempotent).
   * Runners use it to commit a whole batch at once instead of one write at a time.
   */
  atomically?<T>(work: () => Promise<T>): Promise<T>;
}
