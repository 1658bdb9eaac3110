import type { CheckpointStore } from '../../checkpoint/CheckpointStore';
import type { PipelineMetrics } from '../../pipeline/PipelineMetrics';
import type { HeadAwareRecordSource } from '../../pipeline/RunnerOptions';
import type { RecordSource } from '../../streams/RecordSource';

/** Where a rebuild stands, as its progress bar shows it. */
export interface RebuildProgress {
  pipeline: string;
  version: number;
  phase: 'replaying' | 'switching' | 'switched';
  /** Source records processed by this run. */
  eventsDone: number;
  /** The replay's checkpoint in the source. */
  position: number;
  /** The position it heads for: the source's head when known, else the live pipeline's checkpoint (never below `position`). */
  targetPosition: number;
  /** Records per second since this run started. */
  eventsPerSecond: number;
  /** Seconds left at the current pace; undefined until there is a pace. */
  etaSeconds: number | undefined;
}

/** What the meter reads. */
export interface RebuildProgressMeterDependencies {
  pipeline: string;
  version: number;
  source: RecordSource;
  checkpoints: CheckpointStore;
  runner: { metrics(): PipelineMetrics };
  /** The live pipeline, whose checkpoint is the target when the source cannot tell its head. */
  livePipeline: string;
  /** The rebuild's own checkpoint name: where this run started. */
  rebuildCheckpoint: string;
}

/**
 * Measures a rebuild's progress from its runner's counters. The ETA is the distance to the
 * target divided by the pace at which the checkpoint has moved (positions, not records: the
 * positions of a shared stream log are not contiguous), so it holds for either kind of source.
 */
export class RebuildProgressMeter {
  private readonly startedAtMs = Date.now();
  private startPosition: number | undefined;
  /** Records processed by earlier replay rounds of this run (each round's runner counts from its start). */
  private done = 0;

  constructor(private readonly deps: RebuildProgressMeterDependencies) {}

  /** Source records processed by this run so far. */
  get eventsDone(): number {
    return Math.max(this.done, this.deps.runner.metrics().recordsIn);
  }

  async measure(phase: RebuildProgress['phase']): Promise<RebuildProgress> {
    const { pipeline, version, source, checkpoints, runner, livePipeline } = this.deps;
    const metrics = runner.metrics();
    this.done = Math.max(this.done, metrics.recordsIn);
    this.startPosition ??= await checkpoints.get(this.deps.rebuildCheckpoint);
    // Before its first batch the runner reports 0: the run starts where the checkpoint is.
    const position = Math.max(metrics.lastPosition, this.startPosition);
    const head = isHeadAware(source) ? await source.headPosition() : await checkpoints.get(livePipeline);
    const targetPosition = phase === 'switched' ? position : Math.max(head, position);
    const seconds = Math.max((Date.now() - this.startedAtMs) / 1000, 0.001);
    const pace = (position - this.startPosition) / seconds;
    return {
      pipeline,
      version,
      phase,
      eventsDone: this.done,
      position,
      targetPosition,
      eventsPerSecond: this.done / seconds,
      etaSeconds: pace > 0 ? (targetPosition - position) / pace : undefined,
    };
  }
}

function isHeadAware(source: RecordSource): source is HeadAwareRecordSource {
  return typeof (source as Partial<HeadAwareRecordSource>).headPosition === 'function';
}
