import type { DeadLetter, DeadLetterStore } from '../deadletter/DeadLetterStore';
import { DEAD_LETTER_ERRORS } from '../deadletter/DeadLetterStore';
import { NexusError } from '../errors/NexusError';
import type { Logger } from '../logging/Logger';
import { describeFailure } from './PipelineFailure';
import { PIPELINE_DEFAULTS } from './PipelineDefinition';
import type { PipelineContext, PipelineDefinition } from './PipelineDefinition';
import { Cancellation } from './Cancellation';
import { PipelineMetricsRecorder } from './PipelineMetrics';
import { inBatch, RecordAttempts } from './RecordAttempts';

export const REDRIVE_ERRORS = {
  /** The selected dead letter belongs to another pipeline. */
  WRONG_PIPELINE: 'DEAD_LETTER_WRONG_PIPELINE',
  /** The selected dead letter belongs to another key than --key. */
  WRONG_KEY: 'DEAD_LETTER_WRONG_KEY',
} as const;

/** Which parked records to redrive: one key, the oldest ones of a key up to one id, or (empty) every key. */
// Parked entries scanned to find the parked keys; each key is then drained entry by entry.
const KEY_DISCOVERY_LIMIT = 100_000;

/** Which parked records to redrive: one key, the oldest ones of a key up to one id, or (empty) every key. */
export interface RedriveSelection {
  key?: string;
  /** Redrives the parked entries of this entry's key, oldest first, up to and including it. */
  id?: number;
}

/** Retry tunables of a redrive; default: the pipeline's own options, then PIPELINE_DEFAULTS. */
export interface RedriveOptions {
  /** @defaultValue definition.options.maxAttempts ?? 5 */
  maxAttempts?: number;
  /** @defaultValue definition.options.initialBackoffMs ?? 50 */
  initialBackoffMs?: number;
  /** @defaultValue definition.options.maxBackoffMs ?? 2000 */
  maxBackoffMs?: number;
  /** @defaultValue Math.random */
  random?: () => number;
}

export interface RedriveDependencies {
  deadLetters: DeadLetterStore;
  context: PipelineContext;
  /** @defaultValue context.logger */
  logger?: Logger;
}

/** A redrive that failed; its key was left parked from this entry on. */
export interface RedriveFailure {
  id: number;
  key: string;
  error: { code: string; message: string; attempts: number };
}

export interface RedriveSummary {
  redriven: number;
  failed: RedriveFailure[];
}

/**
 * Runs parked records of `definition` through its pipeline again (with retries), per key,
 * oldest first, marking each one `redriven`. A failure records the new error on the entry and
 * stops that key (so order is kept); other keys carry on. Entries parked behind while the
 * redrive runs (by a runner in another process) are picked up too.
 *
 * Errors: an unknown `selection.id` -> DEAD_LETTER_NOT_FOUND; a parked entry of another
 * pipeline -> DEAD_LETTER_WRONG_PIPELINE; one no longer parked -> DEAD_LETTER_NOT_PARKED.
 */
export async function redriveDeadLetters(
  definition: PipelineDefinition,
  deps: RedriveDependencies,
  selection: RedriveSelection = {},
  options: RedriveOptions = {},
): Promise<RedriveSummary> {
  const summary: RedriveSummary = { redriven: 0, failed: [] };
  const limit = selection.id === undefined ? undefined : await selectedEntry(definition, deps.deadLetters, selection.id);
  if (limit && selection.key !== undefined && selection.key !== limit.key) {
    throw new NexusError(REDRIVE_ERRORS.WRONG_KEY, `dead letter ${limit.id} belongs to key ${limit.key}, not ${selection.key}`);
  }
  const keys = limit ? [limit.key] : selection.key !== undefined ? [selection.key] : await parkedKeys(definition, deps.deadLetters);
  for (const key of keys) await redriveKey(definition, deps, key, limit?.id, options, summary);
  return summary;
}

/** Marks one parked entry `skipped`: it will not be applied, and its key flows again once nothing else of it is parked. */
export async function skipDeadLetter(deadLetters: DeadLetterStore, id: number): Promise<DeadLetter> {
  const entry = await deadLetters.get(id);
  if (entry.status !== 'parked') {
    throw new NexusError(DEAD_LETTER_ERRORS.NOT_PARKED, `dead letter ${id} is ${entry.status}, not parked`, { details: { id } });
  }
  await deadLetters.resolve(id, 'skipped');
  return deadLetters.get(id);
}

async function selectedEntry(definition: PipelineDefinition, deadLetters: DeadLetterStore, id: number): Promise<DeadLetter> {
  const entry = await deadLetters.get(id);
  if (entry.pipelineName !== definition.name) {
    throw new NexusError(REDRIVE_ERRORS.WRONG_PIPELINE, `dead letter ${id} belongs to pipeline ${entry.pipelineName}, not ${definition.name}`);
  }
  if (entry.status !== 'parked') {
    throw new NexusError(DEAD_LETTER_ERRORS.NOT_PARKED, `dead letter ${id} is ${entry.status}, not parked`, { details: { id } });
  }
  return entry;
}

async function parkedKeys(definition: PipelineDefinition, deadLetters: DeadLetterStore): Promise<string[]> {
  const parked = await deadLetters.list({ pipelineName: definition.name, status: 'parked', limit: KEY_DISCOVERY_LIMIT });
  return [...new Set(parked.map((entry) => entry.key))];
}

async function redriveKey(
  definition: PipelineDefinition,
  deps: RedriveDependencies,
  key: string,
  upToId: number | undefined,
  options: RedriveOptions,
  summary: RedriveSummary,
): Promise<void> {
  const logger = (deps.logger ?? deps.context.logger).child({ pipeline: definition.name, key });
  const retry = {
    maxAttempts: options.maxAttempts ?? definition.options?.maxAttempts ?? PIPELINE_DEFAULTS.maxAttempts,
    initialBackoffMs: options.initialBackoffMs ?? definition.options?.initialBackoffMs ?? PIPELINE_DEFAULTS.initialBackoffMs,
    maxBackoffMs: options.maxBackoffMs ?? definition.options?.maxBackoffMs ?? PIPELINE_DEFAULTS.maxBackoffMs,
    random: options.random ?? Math.random,
  };
  // The runner's own attempts (same backoff, same counting); a redrive is never cancelled.
  const attempts = new RecordAttempts({ definition, context: deps.context, deadLetters: deps.deadLetters, stats: new PipelineMetricsRecorder(definition.name), logger, retry });
  const cancellation = new Cancellation();
  for (;;) {
    const entry = await deps.deadLetters.oldestParked(definition.name, key);
    if (!entry || (upToId !== undefined && entry.id > upToId)) return;
    const record = { position: entry.sourcePosition, key: entry.key, record: entry.record };
    const result = await attempts.attempt(key, record, 0, undefined, inBatch, cancellation);
    if (result.status !== 'applied') {
      const { errorCode, errorMessage, attempts: made } = describeFailure(result.error);
      await deps.deadLetters.recordFailure(entry.id, errorCode, errorMessage, entry.attempts + made);
      summary.failed.push({ id: entry.id, key, error: { code: errorCode, message: errorMessage, attempts: made } });
      logger.error('redrive failed; key stays parked', { error: result.error, deadLetterId: entry.id });
      return;
    }
    await deps.deadLetters.resolve(entry.id, 'redriven');
    summary.redriven += 1;
    logger.info('dead letter redriven', { deadLetterId: entry.id });
  }
}
