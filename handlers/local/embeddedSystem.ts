/**
 * Composition root of the embedded (single-machine, SQLite) system: opens the databases, feeds
 * the schema registry from schemas/, and wires the event store, codec, command service,
 * pipelines and runners. Used by the local server, the CLI and the end-to-end tests.
 */
import { join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import {
  openSqliteDatabase,
  probeSqliteWritable,
  SqliteEventStore,
  SqliteSchemaRegistry,
  SqliteRateLimitStore,
  SqliteIdempotencyStore,
} from '../../adapters/embedded';
import type { IdempotencyStore } from '../../core/idempotency/IdempotencyStore';
import { OpaWasmAuthorizer } from '../../adapters/opa';
import type { Authorizer } from '../../core/auth/Authorizer';
import type { RateLimitStore } from '../../core/auth/RateLimitStore';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { CommandService } from '../../core/command/CommandService';
import type { RunnerOptions } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { PipelineMetrics } from '../../core/pipeline/PipelineMetrics';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import type { RecordSource } from '../../core/streams/RecordSource';
import type { DeadLetterStore } from '../../core/deadletter/DeadLetterStore';
import type { EventCodec } from '../../core/schema/EventCodec';
import type { LoggedEventStore } from '../../core/events/EventLog';
import type { ReadModelStore } from '../../core/readmodel/ReadModelStore';
import type { NotificationLog } from '../../core/notifications/NotificationLog';
import { createJsonLogger } from '../../core/logging/Logger';
import type { Logger, LogLevel } from '../../core/logging/Logger';
import { aggregates, orderUpcasters } from '../../domain';
import { runsSagas, selectPipelines } from '../../core/pipeline/selectPipelines';
import { pipelines as declaredPipelines, sagas as declaredSagas } from '../../pipelines';
import type { SagaDefinition } from '../../core/saga/SagaDefinition';
import type { SagaTimer } from '../../core/saga/SagaTimer';
import { embeddedSagas } from './embeddedSagas';
import { prepareDataDirectory } from './dataDirectory';
import { wireSnapshots } from './snapshotWiring';
import type { EmbeddedSnapshots } from './snapshotWiring';
import { PipelineWorker } from './PipelineWorker';
import type { ThreadHeap } from './pipelineWorkerProtocol';
import { wirePipelines } from './pipelineWiring';
import type { PipelineRunner } from './pipelineWiring';

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
  /**
   * Runs only the pipelines of these names (of `pipelines`, or of the declared ones in the worker),
   * in declaration order; the others keep their checkpoints and catch up when a later start runs
   * them. The saga timer runs only with a saga pipeline. An unknown name is refused
   * ({@link UnknownPipelineError}). @defaultValue every one
   */
  pipelineNames?: readonly string[];
  /** The sagas whose deadlines the timer sweeps. @defaultValue every saga in pipelines/ */
  sagas?: readonly SagaDefinition[];
  /** Runner tunables applied to every pipeline. */
  runner?: RunnerOptions;
  /** @defaultValue 'NORMAL' (survives a process crash; FULL also survives power loss) */
  synchronous?: 'NORMAL' | 'FULL';
  /** The compiled runtime policies. @defaultValue the repository's policies/build/runtime.wasm */
  policyWasmPath?: string;
  /**
   * Where the pipeline runners run: `'process'` on the caller's event loop (tests, CLI: `runners`
   * holds them), or `'worker'` in a worker thread with its own SQLite connections, which also
   * runs nexus.db's WAL checkpoints (the server: command latency stays off the pipelines' work).
   * `'worker'` runs the declared pipelines and logs as JSON at `logLevel`, so it refuses
   * `pipelines` and `logger`. @defaultValue 'process'
   */
  pipelinesIn?: 'process' | 'worker';
  /**
   * With `pipelinesIn: 'worker'`, the worker thread's nice value (Linux; ignored elsewhere): above
   * 0, requests get a core first when both want one, and the pipelines catch up in between.
   * @defaultValue 0
   */
  pipelineWorkerNice?: number;
  /**
   * Group commit of the event store (see SqliteEventStoreOptions.groupCommit).
   * @defaultValue false
   */
  groupCommit?: boolean;
  /**
   * How long an `Idempotency-Key` is remembered, from its first request (server: `--idempotency-ttl`).
   * @defaultValue 86400 (24 hours)
   */
  idempotencyTtlSeconds?: number;
  /** Period of the snapshot sweep (the 24-hour rule, expired snapshots deleted); 0: no timer. @defaultValue 3600000 (hourly) */
  snapshotSweepIntervalMs?: number;
}

/** Defaults of {@link EmbeddedSystemOptions} that are not documented inline. */
const EMBEDDED_DEFAULTS = {
  /** @defaultValue 1000 — the worker's PASSIVE checkpoint period of nexus.db */
  walCheckpointMs: 1000,
  /** @defaultValue 10000 pages — the main connection's backstop when the worker checkpoints */
  walAutocheckpointPages: 10_000,
};

/** The wired embedded system. */
export interface EmbeddedSystem {
  dataDir: string;
  logger: Logger;
  codec: EventCodec;
  /** The embedded store is also the global log (readAll, headPosition, onAppend). */
  eventStore: LoggedEventStore;
  readModels: ReadModelStore;
  /** What `notify` steps publish (pipelines.db), tailed by the WebSocket server at /ws. */
  notifications: NotificationLog;
  deadLetters: DeadLetterStore;
  commands: CommandService;
  upcasters: UpcasterRegistry;
  /** The runtime policies (authorization, rate limits), evaluated in-process. */
  authorizer: Authorizer;
  rateLimits: RateLimitStore;
  /** Idempotency keys of commands, in nexus.db beside the events they complete with. */
  idempotency: IdempotencyStore;
  /** Snapshots (snapshots.db): the store, the scheduler of triggered snapshots, the sweep. */
  snapshots: EmbeddedSnapshots;
  pipelines: PipelineDefinition[];
  /** The runners when they run in-process; empty with `pipelinesIn: 'worker'`. */
  runners: PipelineRunner[];
  /** Each pipeline's metrics by name, wherever the runners run. */
  pipelineMetrics(): Promise<Record<string, PipelineMetrics>>;
  /** The pipeline worker thread's heap with `pipelinesIn: 'worker'`; undefined in-process. */
  pipelineWorkerHeap(): Promise<ThreadHeap | undefined>;
  contextFor(pipelineName: string): PipelineContext;
  sourceFor(pipeline: PipelineDefinition): RecordSource;
  /** A declared subscriber queue (in pipelines.db), for the CLI. */
  queueFor(queueName: string): SubscriberQueue;
  /** Times out sagas' steps (a sweep a second once the pipelines run in-process; in the worker otherwise). */
  sagaTimer: SagaTimer;
  /** Starts every pipeline runner. */
  startPipelines(): Promise<void>;
  /**
   * Throws (SqliteDatabaseError naming nexus.db) when the event store could not append now: a
   * read-only file system, a lock another process holds (DATABASE_LOCKED at once, no busy wait).
   * A rolled-back write, so cheap enough for every /health.
   */
  probeWritable(): void;
  /** Resolves once every runner has processed what was readable when called. */
  whenCaughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const REPOSITORY_SCHEMAS = resolve(__dirname, '..', '..', 'schemas');
const REPOSITORY_POLICY = resolve(__dirname, '..', '..', 'policies', 'build', 'runtime.wasm');

/** Opens (or creates) the embedded system's data in `options.dataDir` and wires everything. */
export async function openEmbeddedSystem(options: EmbeddedSystemOptions): Promise<EmbeddedSystem> {
  const dataDir = prepareDataDirectory(options.dataDir);
  const inWorker = options.pipelinesIn === 'worker';
  if (inWorker && (options.pipelines !== undefined || options.logger !== undefined)) {
    throw new TypeError("pipelinesIn: 'worker' runs the declared pipelines with its own logger: omit pipelines and logger");
  }
  const logLevel = options.logLevel ?? 'info';
  const logger = options.logger ?? createJsonLogger({ level: logLevel });
  const synchronous = options.synchronous ?? 'NORMAL';
  // Events and schemas live in one file, pipeline state in another, so that projection writes
  // never wait on the command path's write lock; rate-limit counts have their own file for the
  // same reason (a pipeline batch holds pipelines.db's write lock across awaits).
  const eventsFile = join(dataDir, 'nexus.db');
  const databases = openDatabases([eventsFile, join(dataDir, 'pipelines.db'), join(dataDir, 'ratelimits.db')], synchronous);
  const [eventsDb, pipelinesDb, rateLimitsDb] = databases as [Database, Database, Database];
  // The worker checkpoints nexus.db on a timer; the commit path keeps only a distant backstop.
  if (inWorker) eventsDb.pragma(`wal_autocheckpoint = ${EMBEDDED_DEFAULTS.walAutocheckpointPages}`);

  const registry = new SqliteSchemaRegistry(eventsDb);
  await syncSchemas(registry, loadSchemaCatalog(options.schemasDir ?? REPOSITORY_SCHEMAS), logger);
  const codec = new AvroEventCodec(registry);
  const upcasters = new UpcasterRegistry(orderUpcasters);
  const eventStore = new SqliteEventStore(eventsDb, codec, { logger, groupCommit: options.groupCommit ?? false });
  const rateLimits = new SqliteRateLimitStore(rateLimitsDb);
  // On the event store's connection: a claim completes in the transaction of its events.
  const idempotency = new SqliteIdempotencyStore(eventsDb, options.idempotencyTtlSeconds === undefined ? {} : { ttlSeconds: options.idempotencyTtlSeconds });
  const authorizer = await OpaWasmAuthorizer.fromFile(options.policyWasmPath ?? REPOSITORY_POLICY);
  const snapshots = wireSnapshots({ dataDir, synchronous, eventStore, codec, upcasters, aggregates, logger, ...(options.snapshotSweepIntervalMs === undefined ? {} : { sweepIntervalMs: options.snapshotSweepIntervalMs }) });
  const commands = new CommandService({ eventStore, codec, upcasters, aggregates, logger, snapshots: snapshots.forCommands });

  const pipelines = selectPipelines(options.pipelines ?? declaredPipelines, options.pipelineNames);
  const sagaParts = embeddedSagas({ eventsDb, eventStore, codec, commands, idempotency, sagas: options.sagas ?? declaredSagas, logger });
  const wiring = wirePipelines({
    eventsDb,
    pipelinesDb,
    appends: eventStore,
    codec,
    upcasters,
    logger,
    pipelines: inWorker ? [] : pipelines,
    sagas: sagaParts.ports,
    ...(options.runner ? { runner: options.runner } : {}),
  });
  const runners = wiring.runners;
  let worker: PipelineWorker | undefined;
  let stopWaking: (() => void) | undefined;
  let stopSagaTimer: (() => void) | undefined;

  let closed = false;
  return {
    dataDir,
    logger,
    codec,
    eventStore,
    readModels: wiring.readModels,
    notifications: wiring.notifications,
    deadLetters: wiring.deadLetters,
    commands,
    upcasters,
    authorizer,
    rateLimits,
    idempotency,
    snapshots,
    pipelines,
    runners,
    contextFor: wiring.contextFor,
    sourceFor: wiring.sourceFor,
    queueFor: wiring.queueFor,
    sagaTimer: sagaParts.timer,
    pipelineMetrics: async () => {
      if (worker) return worker.metrics();
      return Object.fromEntries(runners.map((runner) => [runner.name, runner.metrics()]));
    },
    pipelineWorkerHeap: async () => worker?.heap(),
    // No busy wait: the caller is on the event loop, and retries a held lock itself.
    probeWritable: () => probeSqliteWritable(eventsDb, eventsFile, { busyTimeoutMs: 0 }),
    startPipelines: async () => {
      if (!inWorker) {
        for (const runner of runners) await runner.start();
        if (runsSagas(pipelines)) stopSagaTimer ??= sagaParts.startTimer();
        return;
      }
      if (worker) return;
      worker = await PipelineWorker.start({
        dataDir,
        logLevel,
        synchronous,
        walCheckpointMs: EMBEDDED_DEFAULTS.walCheckpointMs,
        nice: options.pipelineWorkerNice ?? 0,
        ...(options.pipelineNames ? { pipelineNames: [...options.pipelineNames] } : {}),
        ...(options.runner ? { runner: options.runner } : {}),
      }, logger);
      const started = worker;
      stopWaking = eventStore.onAppend(() => started.wake());
    },
    whenCaughtUp: async (timeoutMs) => {
      if (worker) return worker.whenCaughtUp(timeoutMs);
      // Runners feed each other (router -> core -> projections): settle them in declaration order.
      for (const runner of runners) await runner.whenCaughtUp(timeoutMs);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      stopWaking?.();
      stopSagaTimer?.();
      await worker?.stop();
      for (const runner of runners) await runner.stop();
      await snapshots.close();
      for (const db of databases) db.close();
    },
  };
}

/** Opens each file in turn; when one fails, closes those already open before throwing. */
function openDatabases(files: readonly string[], synchronous: 'NORMAL' | 'FULL'): Database[] {
  const opened: Database[] = [];
  try {
    for (const file of files) opened.push(openSqliteDatabase(file, { synchronous }));
    return opened;
  } catch (error) {
    for (const db of opened) db.close();
    throw error;
  }
}

// The API over a system lives in its own module, free of SQLite, so the Lambda bundle of the API can import it.
export { createEmbeddedApi } from './systemApi';
export type { ApiSystem, EmbeddedApiOptions } from './systemApi';
