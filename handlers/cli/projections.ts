/**
 * `nexus projections status|rebuild`: each projection's read-model version, position and lag;
 * a rebuild of one projection into a new version, switched to atomically once caught up.
 * Embedded: the data directory; `--backend aws`: the stage's events table, OpenSearch aliases and
 * versions table (see README, "Rebuilding a projection").
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { NexusError, errorCodeOf } from '../../core/errors/NexusError';
import { createJsonLogger } from '../../core/logging/Logger';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import { READ_MODEL_VERSION_ERRORS } from '../../core/readmodel/ReadModelVersions';
import type { AwsBackendConfig } from '../aws/awsConfig';
import { openAwsProjectionsSystem } from './projectionsAwsSystem';
import { rebuildProgressPrinter } from './projectionsProgress';
import { openProjectionsSystem } from './projectionsSystem';
import type { ProjectionStatus, ProjectionsSystem } from './projectionsSystem';

/** The global options the projections commands read. */
export interface ProjectionsGlobals {
  dataDir: string;
  backend: 'embedded' | 'aws';
  /** The AWS backend's settings (flags and variables), read when `backend` is `aws`. */
  aws?: () => AwsBackendConfig;
}

/** Error code of a usage the projections commands refuse (unknown pipeline, backend without support). */
export const PROJECTIONS_CLI_ERRORS = { USAGE: 'PROJECTIONS_USAGE' } as const;

/** Adds `projections status` and `projections rebuild <pipeline>` to `program`. */
export function registerProjectionCommands(program: Command, globals: () => ProjectionsGlobals): void {
  const projections = program.command('projections').description("read-model versions: each projection's version, position and lag; rebuild one");
  projections
    .command('status')
    .description("each projection's read-model version, position in its source and lag (records behind), and any unfinished rebuild")
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withProjections(globals(), undefined, async (system) => {
        const rows = await system.status();
        process.stdout.write(`${options.json ? JSON.stringify(rows, null, 2) : formatStatus(rows)}\n`);
      }),
    );
  projections
    .command('rebuild')
    .description('replay the source into a new read-model version and switch readers to it once caught up (resumes an unfinished rebuild)')
    .argument('<pipeline>', 'the projection pipeline, as declared in pipelines/')
    .option('--batch-size <n>', 'records per replay batch', parseBatchSize)
    .option('--since <instant>', 'aws: first instant the replay reads (ISO 8601; default a day before the events table was created)', parseInstant)
    .action((name: string, options: { batchSize?: number; since?: string }) =>
      withProjections(globals(), options.since, async (system) => {
        const definition = pipelineNamed(system, name);
        const abort = new AbortController();
        const interrupt = (): void => abort.abort();
        process.once('SIGINT', interrupt);
        process.once('SIGTERM', interrupt);
        try {
          const summary = await system.rebuild(definition, {
            onProgress: rebuildProgressPrinter(process.stderr),
            signal: abort.signal,
            ...(options.batchSize === undefined ? {} : { runner: { batchSize: options.batchSize } }),
          });
          const parked = summary.parked > 0 ? `; ${summary.parked} record(s) parked: nexus dlq list --pipeline ${definition.name}@rebuild-v${summary.version}` : '';
          process.stdout.write(
            `${summary.pipeline}: ${summary.resumed ? 'resumed and ' : ''}switched to version ${summary.version} (${summary.collections.join(', ') || 'no collection written'}), ${summary.eventsReplayed} records replayed${parked}\n`,
          );
        } finally {
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
        }
      }),
    );
}

async function withProjections(globals: ProjectionsGlobals, since: string | undefined, work: (system: ProjectionsSystem) => Promise<void>): Promise<void> {
  const system = openSystem(globals, since);
  try {
    await work(system);
  } catch (error) {
    if (errorCodeOf(error) === READ_MODEL_VERSION_ERRORS.INTERRUPTED) process.stderr.write('\n');
    throw error;
  } finally {
    await system.close();
  }
}

function openSystem(globals: ProjectionsGlobals, since: string | undefined): ProjectionsSystem {
  const logger = createJsonLogger({ level: 'warn' });
  if (globals.backend === 'aws') {
    if (!globals.aws) throw new NexusError(PROJECTIONS_CLI_ERRORS.USAGE, 'the aws backend is not configured');
    return openAwsProjectionsSystem(globals.aws(), { logger, ...(since === undefined ? {} : { since }) });
  }
  if (since !== undefined) throw new NexusError(PROJECTIONS_CLI_ERRORS.USAGE, '--since applies to --backend aws only');
  const dataDir = resolve(globals.dataDir);
  if (!existsSync(dataDir)) throw new NexusError(PROJECTIONS_CLI_ERRORS.USAGE, `data directory ${dataDir} does not exist (--data-dir or NEXUS_DATA_DIR)`);
  return openProjectionsSystem(dataDir, { logger });
}

function parseInstant(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`expected an ISO 8601 instant, got "${value}"`);
  return new Date(value).toISOString();
}

function pipelineNamed(system: ProjectionsSystem, name: string): PipelineDefinition {
  const definition = system.pipelines.find((pipeline) => pipeline.name === name);
  if (!definition) {
    throw new NexusError(PROJECTIONS_CLI_ERRORS.USAGE, `unknown pipeline "${name}"; known: ${system.pipelines.map((p) => p.name).join(', ')}`);
  }
  return definition;
}

function formatStatus(rows: readonly ProjectionStatus[]): string {
  const lag = (value: number | undefined, capped: boolean | undefined): string => (value === undefined ? '-' : `${capped ? '>=' : ''}${value}`);
  const table = [
    ['PIPELINE', 'VERSION', 'POSITION', 'LAG', 'REBUILD'],
    ...rows.map((row) => [
      row.pipeline,
      `v${row.version}`,
      row.position === undefined ? '-' : String(row.position),
      lag(row.lag, row.lagCapped),
      row.rebuild ? `v${row.rebuild.version} at ${row.rebuild.position}, lag ${lag(row.rebuild.lag, row.rebuild.lagCapped)} (since ${row.rebuild.startedAt})` : '-',
    ]),
  ];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  return table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

function parseBatchSize(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return parsed;
}
