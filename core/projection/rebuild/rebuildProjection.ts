import { count, defer, from, lastValueFrom } from 'rxjs';
import type { CheckpointStore } from '../../checkpoint/CheckpointStore';
import type { DeadLetterStore } from '../../deadletter/DeadLetterStore';
import { NexusError, errorCodeOf } from '../../errors/NexusError';
import { EmbeddedPipelineRunner } from '../../pipeline/EmbeddedPipelineRunner';
import type { RunnerOptions } from '../../pipeline/EmbeddedPipelineRunner';
import type { PipelineContext, PipelineDefinition } from '../../pipeline/PipelineDefinition';
import { READ_MODEL_VERSION_ERRORS, rebuildCheckpointName } from '../../readmodel/ReadModelVersions';
import type { ReadModelVersions } from '../../readmodel/ReadModelVersions';
import { queueOfSource } from '../../streams/RecordSource';
import type { RecordSource } from '../../streams/RecordSource';
import { definedOnly } from '../../options/definedOnly';
import { RebuildProgressMeter } from './RebuildProgressMeter';
import type { RebuildProgress } from './RebuildProgressMeter';
import { ShadowReadModelStore } from './ShadowReadModelStore';

export type { RebuildProgress } from './RebuildProgressMeter';

/** What {@link rebuildProjection} works with: the live pipeline's own source, stores and context. */
export interface RebuildDependencies {
  definition: PipelineDefinition;
  source: RecordSource;
  checkpoints: CheckpointStore;
  deadLetters: DeadLetterStore;
  /** The live pipeline's context; the rebuild replaces its read models with the shadows. */
  context: PipelineContext;
  versions: ReadModelVersions;
}

/** Tunables of {@link rebuildProjection}. */
export interface RebuildOptions {
  /** Called with the progress every `progressIntervalMs`, and once per phase change. */
  onProgress?: (progress: RebuildProgress) => void;
  /** @defaultValue 500 */
  progressIntervalMs?: number;
  /** Stops the rebuild before its switch; running it again resumes from its checkpoint. */
  signal?: AbortSignal;
  /** The replay's runner (batch size, concurrency, ...). @defaultValue the pipeline's options */
  runner?: RunnerOptions;
  /** Records the final catch-up inside the switch may apply; more means replay again first. @defaultValue 10000 */
  maxCatchUpRecords?: number;
  /** Replay-then-switch rounds before giving up (each round catches up again). @defaultValue 5 */
  maxSwitchAttempts?: number;
  /** How long one replay round may take to catch up with the source. @defaultValue 86400000 (a day) */
  caughtUpTimeoutMs?: number;
}

const DEFAULTS = {
  progressIntervalMs: 500,
  maxCatchUpRecords: 10_000,
  maxSwitchAttempts: 5,
  caughtUpTimeoutMs: 86_400_000,
};

/** How a rebuild ended. */
export interface RebuildSummary {
  pipeline: string;
  /** The version readers see now. */
  version: number;
  /** True when an interrupted rebuild was resumed. */
  resumed: boolean;
  /** Source records processed by this run (a resumed run counts only its own). */
  eventsReplayed: number;
  /** Records the replay parked (`nexus dlq list --pipeline <pipeline>@rebuild-v<n>`). */
  parked: number;
  /** The collections switched to the new version. */
  collections: readonly string[];
}

/**
 * Rebuilds a projection: replays the pipeline's source from position 0, through the unchanged
 * pipeline definition, into a new version of its read models (shadow collections, own checkpoint
 * `<pipeline>@rebuild-v<n>`), while the live pipeline and readers carry on with the current
 * version. Once the replay has caught up with the source, one switch transaction applies the
 * last records (final catch-up) and points readers and the live pipeline at the new version;
 * the old tables are dropped.
 *
 * Guarantees: the new version equals an incremental projection of the same records (sinks are
 * idempotent by aggregate version; the switch applies everything up to the source's head while
 * no projection write can commit). Resumable: an interrupted rebuild (crash, signal) keeps its
 * shadows and checkpoint, and the next call continues it.
 *
 * Errors: `PROJECTION_NOT_REBUILDABLE` for a pipeline reading a queue or using ports other than
 * read models (a replay would publish again); `PROJECTION_REBUILD_INTERRUPTED` when `signal`
 * aborts; `PROJECTION_REBUILD_BEHIND` when the switch never caught up within the attempts;
 * the versions store's errors.
 *
 * @example
 * const summary = await rebuildProjection({ definition, source, checkpoints, deadLetters, context, versions }, { onProgress: print });
 */
export async function rebuildProjection(deps: RebuildDependencies, options: RebuildOptions = {}): Promise<RebuildSummary> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const { definition, source, checkpoints, versions } = deps;
  checkRebuildable(definition);
  const { version, resumed } = await versions.beginRebuild(definition.name);
  const name = rebuildCheckpointName(definition.name, version);
  const shadowDefinition: PipelineDefinition = { ...definition, name };
  // Without notifications: clients were told of these changes when they happened (REPLAYABLE_PORTS).
  const { notifications: _told, ...live } = deps.context;
  const context: PipelineContext = { ...live, pipelineName: name, readModels: new ShadowReadModelStore(deps.context.readModels, definition.name, version) };
  const runner = new EmbeddedPipelineRunner(shadowDefinition, { source, checkpoints, deadLetters: deps.deadLetters, context }, options.runner);
  const meter = new RebuildProgressMeter({ pipeline: definition.name, version, source, checkpoints, runner, livePipeline: definition.name, rebuildCheckpoint: name });
  const report = async (phase: RebuildProgress['phase']): Promise<void> => options.onProgress?.(await meter.measure(phase));
  const ticker = options.onProgress ? setInterval(() => void report('replaying').catch(() => undefined), settings.progressIntervalMs) : undefined;
  try {
    for (let attempt = 1; ; attempt += 1) {
      await replayUntilCaughtUp(runner, settings.caughtUpTimeoutMs, options.signal);
      await report('switching');
      try {
        const collections = await versions.switchTo(definition.name, version, () => catchUp(shadowDefinition, context, source, checkpoints, settings.maxCatchUpRecords));
        clearInterval(ticker);
        await report('switched');
        const metrics = runner.metrics();
        return { pipeline: definition.name, version, resumed, eventsReplayed: meter.eventsDone, parked: metrics.recordsParked, collections };
      } catch (error) {
        if (attempt >= settings.maxSwitchAttempts || errorCodeOf(error) === READ_MODEL_VERSION_ERRORS.STORE_UNAVAILABLE) throw error;
        context.logger.warn('rebuild switch did not catch up; replaying again', { error, attempt });
      }
    }
  } finally {
    clearInterval(ticker);
    await runner.stop();
  }
}

/**
 * Ports a replay may use: read models, and notifications, which the replay's context leaves out
 * (a rebuild re-derives documents clients were already told about; `notify` without a publisher
 * publishes nothing).
 */
const REPLAYABLE_PORTS: readonly string[] = ['readModels', 'notifications'];

/**
 * Throws `PROJECTION_NOT_REBUILDABLE` unless `definition` can be replayed: it reads a log (not a
 * subscriber queue) and uses no port but read models and notifications (a replay would publish
 * its records again).
 */
export function checkRebuildable(definition: PipelineDefinition): void {
  if (queueOfSource(definition.source) !== undefined) {
    throw new NexusError(READ_MODEL_VERSION_ERRORS.NOT_REBUILDABLE, `pipeline ${definition.name} reads a subscriber queue, which cannot be replayed`, { details: { pipeline: definition.name } });
  }
  const others = (definition.uses ?? ['readModels']).filter((port) => !REPLAYABLE_PORTS.includes(port));
  if (others.length > 0) {
    throw new NexusError(READ_MODEL_VERSION_ERRORS.NOT_REBUILDABLE, `pipeline ${definition.name} uses ${others.join(', ')}: a replay would publish its records again`, { details: { pipeline: definition.name } });
  }
}

/** Runs the replay until it has processed what the source holds, then stops it. */
async function replayUntilCaughtUp(runner: EmbeddedPipelineRunner, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  throwIfAborted(signal);
  await runner.start();
  const caughtUp = runner.whenCaughtUp(timeoutMs);
  // Stopping rejects the wait: nobody else listens when the signal won.
  caughtUp.catch(() => undefined);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([caughtUp, aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await runner.stop();
  }
  throwIfAborted(signal);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NexusError(READ_MODEL_VERSION_ERRORS.INTERRUPTED, 'rebuild interrupted before its switch; run it again to resume');
}

/** Inside the switch: applies the records after the replay's checkpoint, up to the source's head. */
async function catchUp(definition: PipelineDefinition, context: PipelineContext, source: RecordSource, checkpoints: CheckpointStore, maxRecords: number): Promise<void> {
  const records = await source.read(await checkpoints.get(definition.name), maxRecords);
  if (records.length >= maxRecords) {
    throw new NexusError(READ_MODEL_VERSION_ERRORS.BEHIND, `rebuild of ${definition.name} is more than ${maxRecords} records behind at its switch`);
  }
  const last = records.at(-1);
  if (last === undefined) return;
  // One subscription in source order keeps every key's records in order.
  await lastValueFrom(defer(() => definition.pipe(from(records), context)).pipe(count()));
  await checkpoints.set(definition.name, last.position);
}
