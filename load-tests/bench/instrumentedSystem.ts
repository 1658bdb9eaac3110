import { tap } from 'rxjs';
import { definePipeline } from '../../core/pipeline/PipelineDefinition';
import type { PipelineOptions } from '../../core/pipeline/PipelineDefinition';
import type { SourceRecord } from '../../core/streams/RecordSource';
import { LOCAL_SERVER_DEFAULTS } from '../../handlers/local/config';
import { openEmbeddedSystem } from '../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../handlers/local/embeddedSystem';
import orderList from '../../pipelines/order-list';
import router from '../../pipelines/router';

/** What the benches watch in the order-list pipeline. */
export interface OrderListProbes {
  /** Each record as it enters the pipeline (before decoding); may throw to fail an attempt. */
  onRecord?: (record: SourceRecord) => void;
  /** Each document the pipeline wrote, by id (the order id). */
  onProjected: (id: string) => void;
  /** Options of the instrumented pipeline over the declared ones (e.g. maxAttempts). */
  options?: PipelineOptions;
}

/**
 * The embedded system in this process, with the router and an instrumented order-list pipeline,
 * run as `npm start` runs them (group commit, the server's linger), on files in `dataDir`. The
 * pipelines run in-process because an instrumented pipeline cannot cross into the worker thread.
 */
export function openInstrumentedSystem(dataDir: string, probes: OrderListProbes): Promise<EmbeddedSystem> {
  const { onRecord, onProjected } = probes;
  const instrumented = definePipeline({
    ...orderList,
    ...(probes.options === undefined ? {} : { options: { ...orderList.options, ...probes.options } }),
    pipe: (records$, context) =>
      orderList
        .pipe(onRecord === undefined ? records$ : records$.pipe(tap(onRecord)), context)
        .pipe(tap((outcome) => onProjected((outcome as { id: string }).id))),
  });
  return openEmbeddedSystem({
    dataDir,
    logLevel: 'silent',
    pipelines: [router, instrumented],
    groupCommit: true,
    runner: { lingerMs: LOCAL_SERVER_DEFAULTS.pipelineLingerMs },
  });
}
