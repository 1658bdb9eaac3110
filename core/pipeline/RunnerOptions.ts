import type { CheckpointStore } from '../checkpoint/CheckpointStore';
import type { DeadLetterStore } from '../deadletter/DeadLetterStore';
import type { Logger } from '../logging/Logger';
import type { RecordSource } from '../streams/RecordSource';
import { PIPELINE_DEFAULTS } from './PipelineDefinition';
import type { PipelineContext, PipelineOptions } from './PipelineDefinition';

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
  /**
   * Keys that may be retrying at once, off the batches' path. At the bound the runner reads no
   * further until one finishes, and a key failing meanwhile is retried inside its batch. @defaultValue 64
   */
  maxRetryingKeys?: number;
  /** Unfinished records (retrying ones and those waiting behind them) at which the runner reads no further. @defaultValue 10000 */
  maxWaitingRecords?: number;
}

export const RUNNER_DEFAULTS: Required<RunnerOptions> = {
  ...PIPELINE_DEFAULTS,
  idlePollMs: 1000,
  lingerMs: 0,
  maxFailureBackoffMs: 5000,
  random: Math.random,
  maxRetryingKeys: 64,
  maxWaitingRecords: 10_000,
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
