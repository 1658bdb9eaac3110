import { count, defer, from, lastValueFrom } from 'rxjs';
import type { PipelineContext, PipelineDefinition } from '../../pipeline/PipelineDefinition';
import { rebuildCheckpointName } from '../../readmodel/ReadModelVersions';
import type { BegunRebuild, ProjectionVersion, ReadModelVersions } from '../../readmodel/ReadModelVersions';
import type { RecordSource } from '../../streams/RecordSource';
import { ShadowReadModelStore } from './ShadowReadModelStore';

/** What {@link TimeWindowSwitch} replays: the live pipeline's definition and context, and a source whose positions are epoch ms. */
export interface TimeWindowSwitchDependencies {
  definition: PipelineDefinition;
  context: PipelineContext;
  source: RecordSource;
}

/** Tunables of {@link TimeWindowSwitch}. */
export interface TimeWindowSwitchOptions {
  /** Longest index propagation plus writers' clock skew the switch covers. @defaultValue 5000 */
  marginMs?: number;
  /** Records read per page of a window. @defaultValue 1000 */
  pageSize?: number;
  /** @defaultValue Date.now */
  nowMs?: () => number;
  /** @defaultValue setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS = {
  marginMs: 5000,
  pageSize: 1000,
  nowMs: (): number => Date.now(),
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The switch of a rebuild whose source is eventually consistent and time-ordered (the AWS events
 * table by TimestampIndex) and whose stores have no transaction with the live pipeline (an
 * OpenSearch alias). Decorates a versions store whose `switchTo` calls its catch-up twice,
 * before and after it moves readers (`DynamoDbReadModelVersions`), and replaces that catch-up by
 * two time windows replayed through the unchanged pipeline into the shadows:
 * - before the swap: every record from the rebuild's start minus the margin up to now (T1), so
 *   a record the replay passed before the index showed it is applied;
 * - after the swap, once the margin has elapsed: every record from T1 minus the margin up to now,
 *   so a record the live pipeline wrote into the old version after T1 is in the new one.
 * From the swap on, the live pipeline writes the new version itself. Sinks are idempotent by
 * aggregate version, so the overlaps are harmless.
 *
 * Guarantee: when index propagation plus writers' clock skew stay under `marginMs`, the new
 * version holds every event appended before the swap, as an incremental projection would;
 * between the swap and the end of the second window a reader may miss the newest events of
 * that interval. Errors: the pipeline's and the source's, rethrown (the switch then fails and
 * the rebuild, run again, resumes).
 */
export class TimeWindowSwitch implements ReadModelVersions {
  private readonly settings: typeof DEFAULTS;

  constructor(
    private readonly inner: ReadModelVersions,
    private readonly deps: TimeWindowSwitchDependencies,
    options: TimeWindowSwitchOptions = {},
  ) {
    this.settings = {
      marginMs: options.marginMs ?? DEFAULTS.marginMs,
      pageSize: options.pageSize ?? DEFAULTS.pageSize,
      nowMs: options.nowMs ?? DEFAULTS.nowMs,
      sleep: options.sleep ?? DEFAULTS.sleep,
    };
  }

  get(pipeline: string): Promise<ProjectionVersion> {
    return this.inner.get(pipeline);
  }

  beginRebuild(pipeline: string): Promise<BegunRebuild> {
    return this.inner.beginRebuild(pipeline);
  }

  async switchTo(pipeline: string, version: number, _catchUp: () => Promise<void>): Promise<readonly string[]> {
    const { rebuild } = await this.inner.get(pipeline);
    const startedMs = Date.parse(rebuild?.startedAt ?? '') || 0;
    const { marginMs, nowMs, sleep } = this.settings;
    const context: PipelineContext = { ...this.deps.context, pipelineName: rebuildCheckpointName(pipeline, version), readModels: new ShadowReadModelStore(this.deps.context.readModels, pipeline, version) };
    let beforeSwapMs: number | undefined;
    return this.inner.switchTo(pipeline, version, async () => {
      if (beforeSwapMs === undefined) {
        beforeSwapMs = nowMs();
        await this.replayWindow(context, startedMs - marginMs, beforeSwapMs);
        return;
      }
      await sleep(marginMs);
      await this.replayWindow(context, beforeSwapMs - marginMs, nowMs());
    });
  }

  /** Applies the records with fromMs <= position <= toMs, in source order, page by page. */
  private async replayWindow(context: PipelineContext, fromMs: number, toMs: number): Promise<void> {
    let after = Math.max(0, fromMs - 1);
    for (;;) {
      const page = await this.deps.source.read(after, this.settings.pageSize);
      const inWindow = page.filter((record) => record.position <= toMs);
      // One subscription in source order keeps every key's records in order.
      if (inWindow.length > 0) await lastValueFrom(defer(() => this.deps.definition.pipe(from(inWindow), context)).pipe(count()));
      const last = page.at(-1);
      if (last === undefined || inWindow.length < page.length) return;
      after = last.position;
    }
  }
}
