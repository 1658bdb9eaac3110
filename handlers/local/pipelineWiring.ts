import type { Database } from 'better-sqlite3';
import {
  SqliteCheckpointStore,
  SqliteDeadLetterStore,
  SqliteEventFeed,
  SqliteReadModelStore,
  SqliteStreamLog,
} from '../../adapters/embedded';
import type { Logger } from '../../core/logging/Logger';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { RunnerOptions } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { EventLog } from '../../core/events/EventLog';
import type { EventCodec } from '../../core/schema/EventCodec';
import type { RecordSource } from '../../core/streams/RecordSource';
import type { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';

/** What {@link wirePipelines} builds the runners from. */
export interface PipelineWiringDependencies {
  /** The connection to nexus.db the change feed reads from. */
  eventsDb: Database;
  /** The connection to pipelines.db (read models, stream logs, checkpoints, dead letters). */
  pipelinesDb: Database;
  /** Wakes the change feed: the event store itself in-process, relayed messages in a worker. */
  appends: Pick<EventLog, 'onAppend'>;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  logger: Logger;
  pipelines: readonly PipelineDefinition[];
  runner?: RunnerOptions;
}

/** The pipelines' stores and runners over one pipelines.db connection. */
export interface PipelineWiring {
  readModels: SqliteReadModelStore;
  deadLetters: SqliteDeadLetterStore;
  runners: EmbeddedPipelineRunner[];
  contextFor(pipelineName: string): PipelineContext;
  sourceFor(pipeline: PipelineDefinition): RecordSource;
}

/** Wires the pipeline runners; shared by the in-process system and the pipeline worker. */
export function wirePipelines(deps: PipelineWiringDependencies): PipelineWiring {
  const { pipelinesDb, codec, upcasters, logger } = deps;
  const streamLog = new SqliteStreamLog(pipelinesDb);
  const checkpoints = new SqliteCheckpointStore(pipelinesDb);
  const deadLetters = new SqliteDeadLetterStore(pipelinesDb);
  const readModels = new SqliteReadModelStore(pipelinesDb);
  const eventFeed = new SqliteEventFeed(deps.eventsDb, deps.appends);
  const contextFor = (pipelineName: string): PipelineContext => ({
    pipelineName,
    codec,
    upcasters,
    readModels,
    publisher: streamLog,
    logger: logger.child({ pipeline: pipelineName }),
  });
  const sourceFor = (pipeline: PipelineDefinition): RecordSource =>
    pipeline.source === 'events' ? eventFeed : streamLog.source(pipeline.source);
  const runners = deps.pipelines.map(
    (pipeline) =>
      new EmbeddedPipelineRunner(
        pipeline,
        { source: sourceFor(pipeline), checkpoints, deadLetters, context: contextFor(pipeline.name), logger },
        deps.runner,
      ),
  );
  return { readModels, deadLetters, runners, contextFor, sourceFor };
}
