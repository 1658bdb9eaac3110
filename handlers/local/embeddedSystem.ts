/**
 * Composition root of the embedded (single-machine, SQLite) system: opens the databases, feeds
 * the schema registry from schemas/, and wires the event store, codec, command service,
 * pipelines and runners. Used by the local server, the CLI and the end-to-end tests.
 */
import { join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import {
  openSqliteDatabase,
  SqliteCheckpointStore,
  SqliteDeadLetterStore,
  SqliteEventStore,
  SqliteReadModelStore,
  SqliteSchemaRegistry,
  SqliteStreamLog,
  SqliteRateLimitStore,
} from '../../adapters/embedded';
import { OpaWasmAuthorizer } from '../../adapters/opa';
import { AccessGuard } from '../../core/auth/AccessGuard';
import { CommandOwnership } from '../../core/auth/CommandOwnership';
import { JwtTokenVerifier } from '../../core/auth/JwtTokenVerifier';
import type { AuthConfig } from '../../core/auth/authConfig';
import type { Authorizer } from '../../core/auth/Authorizer';
import type { RateLimitStore } from '../../core/auth/RateLimitStore';
import { createApi } from '../../core/http/createApi';
import type { ApiOptions } from '../../core/http/createApi';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { CommandService } from '../../core/command/CommandService';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { RunnerOptions } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { RecordSource } from '../../core/streams/RecordSource';
import type { DeadLetterStore } from '../../core/deadletter/DeadLetterStore';
import type { EventCodec } from '../../core/schema/EventCodec';
import type { EventStore } from '../../core/events/EventStore';
import type { ReadModelStore } from '../../core/readmodel/ReadModelStore';
import { createJsonLogger } from '../../core/logging/Logger';
import type { Logger, LogLevel } from '../../core/logging/Logger';
import { orderAggregate, orderUpcasters } from '../../domain';
import { pipelines as declaredPipelines } from '../../pipelines';

/** Options of {@link openEmbeddedSystem}. */
export interface EmbeddedSystemOptions {
  /** Directory holding the SQLite files; created when missing. */
  dataDir: string;
  /** @defaultValue the repository's schemas/ directory */
  schemasDir?: string;
  /** @defaultValue 'info' */
  logLevel?: LogLevel;
  logger?: Logger;
  /** @defaultValue every pipeline in pipelines/ */
  pipelines?: readonly PipelineDefinition[];
  /** Runner tunables applied to every pipeline. */
  runner?: RunnerOptions;
  /** @defaultValue 'NORMAL' (survives a process crash; FULL also survives power loss) */
  synchronous?: 'NORMAL' | 'FULL';
  /** The compiled runtime policies. @defaultValue the repository's policies/build/runtime.wasm */
  policyWasmPath?: string;
}

/** The wired embedded system. */
export interface EmbeddedSystem {
  dataDir: string;
  logger: Logger;
  codec: EventCodec;
  eventStore: EventStore;
  readModels: ReadModelStore;
  deadLetters: DeadLetterStore;
  commands: CommandService;
  upcasters: UpcasterRegistry;
  /** The runtime policies (authorization, rate limits), evaluated in-process. */
  authorizer: Authorizer;
  rateLimits: RateLimitStore;
  pipelines: PipelineDefinition[];
  runners: EmbeddedPipelineRunner[];
  contextFor(pipelineName: string): PipelineContext;
  sourceFor(pipeline: PipelineDefinition): RecordSource;
  /** Starts every pipeline runner. */
  startPipelines(): Promise<void>;
  /** Resolves once every runner has processed what was readable when called. */
  whenCaughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const REPOSITORY_SCHEMAS = resolve(__dirname, '..', '..', 'schemas');
const REPOSITORY_POLICY = resolve(__dirname, '..', '..', 'policies', 'build', 'runtime.wasm');

/** Opens (or creates) the embedded system's data in `options.dataDir` and wires everything. */
export async function openEmbeddedSystem(options: EmbeddedSystemOptions): Promise<EmbeddedSystem> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger ?? createJsonLogger({ level: options.logLevel ?? 'info' });
  const synchronous = options.synchronous ?? 'NORMAL';
  // Events and schemas live in one file, pipeline state in another, so that projection writes
  // never wait on the command path's write lock.
  const eventsDb = openSqliteDatabase(join(dataDir, 'nexus.db'), { synchronous });
  const pipelinesDb = openSqliteDatabase(join(dataDir, 'pipelines.db'), { synchronous });
  const databases: Database[] = [eventsDb, pipelinesDb];

  const registry = new SqliteSchemaRegistry(eventsDb);
  await syncSchemas(registry, loadSchemaCatalog(options.schemasDir ?? REPOSITORY_SCHEMAS), logger);
  const codec = new AvroEventCodec(registry);
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const eventStore = new SqliteEventStore(eventsDb, codec, { logger });
  const streamLog = new SqliteStreamLog(pipelinesDb);
  const checkpoints = new SqliteCheckpointStore(pipelinesDb);
  const deadLetters = new SqliteDeadLetterStore(pipelinesDb);
  const readModels = new SqliteReadModelStore(pipelinesDb);
  const rateLimits = new SqliteRateLimitStore(pipelinesDb);
  const authorizer = await OpaWasmAuthorizer.fromFile(options.policyWasmPath ?? REPOSITORY_POLICY);
  const commands = new CommandService({ eventStore, codec, upcasters, aggregates: [orderAggregate], logger });
  const eventFeed = eventStore.asRecordSource();

  const pipelines = [...(options.pipelines ?? declaredPipelines)];
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
  const runners = pipelines.map(
    (pipeline) =>
      new EmbeddedPipelineRunner(
        pipeline,
        { source: sourceFor(pipeline), checkpoints, deadLetters, context: contextFor(pipeline.name), logger },
        options.runner,
      ),
  );

  let closed = false;
  return {
    dataDir,
    logger,
    codec,
    eventStore,
    readModels,
    deadLetters,
    commands,
    upcasters,
    authorizer,
    rateLimits,
    pipelines,
    runners,
    contextFor,
    sourceFor,
    startPipelines: async () => {
      for (const runner of runners) await runner.start();
    },
    whenCaughtUp: async (timeoutMs) => {
      // Runners feed each other (router -> core -> projections): settle them in declaration order.
      for (const runner of runners) await runner.whenCaughtUp(timeoutMs);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const runner of runners) await runner.stop();
      for (const db of databases) db.close();
    },
  };
}

/** Options of {@link createEmbeddedApi}: the API's tunables and the extra members of /health. */
export type EmbeddedApiOptions = ApiOptions & { health?: () => Promise<Record<string, unknown>> };

/** The HTTP API over an embedded system, secured as configured (JWT keys, policies, rate limits). */
export function createEmbeddedApi(system: EmbeddedSystem, auth: AuthConfig, options: EmbeddedApiOptions = {}): ReturnType<typeof createApi> {
  const { health, ...apiOptions } = options;
  return createApi(
    {
      commands: system.commands,
      orders: system.readModels.collection('orders'),
      logger: system.logger,
      ...(health === undefined ? {} : { health }),
      security: {
        verifier: new JwtTokenVerifier(auth.keys, auth.verifier),
        guard: new AccessGuard({ authorizer: system.authorizer, rateLimits: system.rateLimits, logger: system.logger }),
        ownership: new CommandOwnership(system.commands, [orderAggregate]),
      },
      history: { eventStore: system.eventStore, codec: system.codec, upcasters: system.upcasters, aggregate: orderAggregate },
    },
    apiOptions,
  );
}
