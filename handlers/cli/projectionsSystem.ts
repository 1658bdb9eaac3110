/**
 * What `nexus projections` works with on the embedded backend: its own connections to the data
 * directory's databases (a server may be running on them: WAL lets both work), the pipelines'
 * sources, stores and contexts wired as the server wires them, and the read-model versions.
 */
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openSqliteDatabase, SqliteCheckpointStore, SqliteSchemaRegistry } from '../../adapters/embedded';
import { SqliteReadModelVersions } from '../../adapters/embedded/SqliteReadModelVersions';
import type { Logger } from '../../core/logging/Logger';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { HeadAwareRecordSource } from '../../core/pipeline/RunnerOptions';
import { checkRebuildable, rebuildProjection } from '../../core/projection/rebuild/rebuildProjection';
import type { RebuildOptions, RebuildSummary } from '../../core/projection/rebuild/rebuildProjection';
import { rebuildCheckpointName } from '../../core/readmodel/ReadModelVersions';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { queueOfSource } from '../../core/streams/RecordSource';
import type { RecordSource } from '../../core/streams/RecordSource';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../domain';
import { pipelines as declaredPipelines } from '../../pipelines';
import { wirePipelines } from '../local/pipelineWiring';

/** Lag counted by reading is given up beyond this many records (shown as `>=`). */
const MAX_COUNTED_LAG = 100_000;
const LAG_PAGE = 1000;

/** One projection's row of `nexus projections status`. */
export interface ProjectionStatus {
  pipeline: string;
  /** The version readers see. */
  version: number;
  /** The live pipeline's checkpoint; undefined for a pipeline on a queue (no positions). */
  position?: number;
  /** Records after the checkpoint; `lagCapped` when counting stopped at the cap. */
  lag?: number;
  lagCapped?: boolean;
  rebuild?: { version: number; startedAt: string; position: number; lag: number; lagCapped: boolean };
}

/** The embedded projections of one data directory. */
export interface ProjectionsSystem {
  readonly pipelines: readonly PipelineDefinition[];
  /** Replays `pipeline` into a new version and switches to it (resumes an unfinished rebuild). */
  rebuild(pipeline: PipelineDefinition, options?: RebuildOptions): Promise<RebuildSummary>;
  /** Version, position and lag of every pipeline that projects read models. */
  status(): Promise<ProjectionStatus[]>;
  close(): void | Promise<void>;
}

/** Options of {@link openProjectionsSystem}. */
export interface ProjectionsSystemOptions {
  logger: Logger;
  /** @defaultValue every pipeline in pipelines/ */
  pipelines?: readonly PipelineDefinition[];
}

/** Opens the projections of the embedded data in `dataDir` (which must exist). */
export function openProjectionsSystem(dataDir: string, options: ProjectionsSystemOptions): ProjectionsSystem {
  const databases: Database[] = [];
  try {
    databases.push(openSqliteDatabase(join(dataDir, 'nexus.db')), openSqliteDatabase(join(dataDir, 'pipelines.db')));
  } catch (error) {
    for (const db of databases) db.close();
    throw error;
  }
  const [eventsDb, pipelinesDb] = databases as [Database, Database];
  const pipelines = options.pipelines ?? declaredPipelines;
  const wiring = wirePipelines({
    eventsDb,
    pipelinesDb,
    // Nothing in this process appends: the replay reads in full batches, and polls once caught up.
    appends: { onAppend: () => () => undefined },
    codec: new AvroEventCodec(new SqliteSchemaRegistry(eventsDb)),
    upcasters: new UpcasterRegistry(orderUpcasters),
    logger: options.logger,
    pipelines: [],
  });
  // On the read models' connection: the rebuild's writes and checkpoint share its transactions.
  const checkpoints = new SqliteCheckpointStore(pipelinesDb);
  const versions = new SqliteReadModelVersions(pipelinesDb);

  const lagAfter = async (source: RecordSource, position: number): Promise<{ lag: number; lagCapped: boolean }> => {
    if (isHeadAware(source)) return { lag: Math.max(0, (await source.headPosition()) - position), lagCapped: false };
    let lag = 0;
    let after = position;
    while (lag < MAX_COUNTED_LAG) {
      const page = await source.read(after, LAG_PAGE);
      const last = page.at(-1);
      if (last === undefined) return { lag, lagCapped: false };
      lag += page.length;
      after = last.position;
    }
    return { lag, lagCapped: true };
  };

  const statusOf = async (definition: PipelineDefinition): Promise<ProjectionStatus> => {
    const { version, rebuild } = await versions.get(definition.name);
    if (queueOfSource(definition.source) !== undefined) return { pipeline: definition.name, version };
    const source = wiring.sourceFor(definition);
    const position = await checkpoints.get(definition.name);
    const row: ProjectionStatus = { pipeline: definition.name, version, position, ...(await lagAfter(source, position)) };
    if (!rebuild) return row;
    const rebuildPosition = await checkpoints.get(rebuildCheckpointName(definition.name, rebuild.version));
    return { ...row, rebuild: { ...rebuild, position: rebuildPosition, ...(await lagAfter(source, rebuildPosition)) } };
  };

  return {
    pipelines,
    rebuild: async (definition, rebuildOptions = {}) => {
      checkRebuildable(definition);
      return rebuildProjection(
        { definition, source: wiring.sourceFor(definition), checkpoints, deadLetters: wiring.deadLetters, context: wiring.contextFor(definition.name), versions },
        rebuildOptions,
      );
    },
    status: async () => {
      const projections = pipelines.filter((definition) => (definition.uses ?? ['readModels']).includes('readModels'));
      const rows: ProjectionStatus[] = [];
      for (const definition of projections) rows.push(await statusOf(definition));
      return rows;
    },
    close: () => {
      for (const db of databases) db.close();
    },
  };
}

function isHeadAware(source: RecordSource): source is HeadAwareRecordSource {
  return typeof (source as Partial<HeadAwareRecordSource>).headPosition === 'function';
}
