/**
 * Entry of the pipeline worker thread started by {@link PipelineWorker}: runs every declared
 * pipeline on its own SQLite connections, so that routing and projections never share the HTTP
 * server's event loop. The main thread relays the event store's wake-ups through shared memory;
 * without them the runners still poll. It also runs nexus.db's WAL checkpoints, which the main
 * connection then no longer runs on its commit path.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { AppendListeners } from '../../adapters/embedded/AppendListeners';
import { openSqliteDatabase, SqliteEventStore, SqliteIdempotencyStore, SqliteSchemaRegistry } from '../../adapters/embedded';
import { CommandService } from '../../core/command/CommandService';
import { errorCodeOf } from '../../core/errors/NexusError';
import { createJsonLogger } from '../../core/logging/Logger';
import type { Logger } from '../../core/logging/Logger';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { aggregates, orderUpcasters } from '../../domain';
import { pipelines as declaredPipelines, sagas } from '../../pipelines';
import { runsSagas, selectPipelines } from '../../core/pipeline/selectPipelines';
import { embeddedSagas } from './embeddedSagas';
import { wireSnapshots } from './snapshotWiring';
import { memoryUsageMb } from './memoryUsageMb';
import { wirePipelines } from './pipelineWiring';
import type { FromWorker, PipelineWorkerData, ThreadHeap, ToWorker, WorkerRequest } from './pipelineWorkerProtocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pipelineWorkerThread must run in a worker thread');
  const data = workerData as PipelineWorkerData;
  const post = (message: FromWorker): void => port.postMessage(message);
  const logger = createJsonLogger({ level: data.logLevel, fields: { thread: 'pipelines' } });
  if (data.nice !== 0) niceThisThread(data.nice, logger);
  const pipelines = selectPipelines(declaredPipelines, data.pipelineNames);
  const eventsDb = openSqliteDatabase(join(data.dataDir, 'nexus.db'), { synchronous: data.synchronous });
  const pipelinesDb = openSqliteDatabase(join(data.dataDir, 'pipelines.db'), { synchronous: data.synchronous });
  const codec = new AvroEventCodec(new SqliteSchemaRegistry(eventsDb));
  const appends = new AppendListeners(logger, 'events');
  const upcasters = new UpcasterRegistry(orderUpcasters);
  // Sagas send commands from this thread: its own command service over its own connection to
  // nexus.db. SQLite serialises its appends with the HTTP thread's (optimistic concurrency per
  // aggregate still decides), and its appends wake this thread's runners directly.
  const eventStore = new SqliteEventStore(eventsDb, codec, { logger });
  eventStore.onAppend(() => appends.notify());
  // The saga's commands load and snapshot aggregates as the HTTP thread's do; the main thread
  // runs the sweep, so this thread's wiring has no timer.
  const snapshots = wireSnapshots({ dataDir: data.dataDir, synchronous: data.synchronous, eventStore, codec, upcasters, aggregates, logger, sweepIntervalMs: 0 });
  const commands = new CommandService({ eventStore, codec, upcasters, aggregates, logger, snapshots: snapshots.forCommands });
  const sagaParts = embeddedSagas({ eventsDb, eventStore, codec, commands, idempotency: new SqliteIdempotencyStore(eventsDb), sagas, logger });
  const wiring = wirePipelines({
    eventsDb,
    pipelinesDb,
    appends: { onAppend: (listener) => appends.add(listener) },
    codec,
    upcasters,
    logger,
    pipelines,
    sagas: sagaParts.ports,
    ...(data.runner ? { runner: data.runner } : {}),
  });
  const checkpoint = eventsDb.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const checkpointTimer =
    data.walCheckpointMs > 0
      ? setInterval(() => {
          try {
            checkpoint.run();
          } catch (error) {
            logger.warn('WAL checkpoint failed', { error });
          }
        }, data.walCheckpointMs)
      : undefined;

  const wakePending = new Int32Array(data.wakePending);
  const sagaTimer: { stop?: () => void } = {};
  let stopped = false;
  const answer = async (request: WorkerRequest): Promise<unknown> => {
    switch (request.op) {
      case 'metrics':
        return Object.fromEntries(wiring.runners.map((runner) => [runner.name, runner.metrics()]));
      case 'heap': {
        const { heapUsed, heapTotal } = memoryUsageMb();
        const heap: ThreadHeap = { heapUsed, heapTotal };
        return heap;
      }
      case 'caughtUp':
        // Runners feed each other (router -> core -> projections): settle them in declaration order.
        for (const runner of wiring.runners) await runner.whenCaughtUp(request.timeoutMs);
        return undefined;
      case 'stop':
        stopped = true;
        sagaTimer.stop?.();
        Atomics.notify(wakePending, 0);
        clearInterval(checkpointTimer);
        for (const runner of wiring.runners) await runner.stop();
        await snapshots.close();
        eventsDb.close();
        pipelinesDb.close();
        return undefined;
    }
  };
  // Wake-ups arrive through shared memory, not messages: a postMessage per commit cost the
  // HTTP thread more than the rest of the relay (docs/performance.md, round 3).
  const awaitWakeUps = async (): Promise<void> => {
    while (!stopped) {
      const waiting = waitAsync(wakePending, 0, 0);
      if (waiting.async) await waiting.value;
      if (stopped) return;
      // Cleared before the runners read: an append committed after this wakes them again.
      Atomics.store(wakePending, 0, 0);
      appends.notify();
    }
  };
  port.on('message', (message: ToWorker) => {
    answer(message).then(
      (value) => {
        post({ type: 'reply', id: message.id, ok: true, value });
        // Nothing is left to keep the thread alive: it ends by itself, as a process would
        // (and writes its --cpu-prof profile, which a terminated thread does not).
        if (message.op === 'stop') port.close();
      },
      (error: unknown) => post({ type: 'reply', id: message.id, ok: false, error: describe(error) }),
    );
  });
  for (const runner of wiring.runners) await runner.start();
  if (runsSagas(pipelines)) sagaTimer.stop = sagaParts.startTimer();
  void awaitWakeUps();
  post({ type: 'ready' });
}

// Atomics.waitAsync (Node >= 16) is missing from the ES2022 lib this project compiles against.
type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): WaitAsyncResult }).waitAsync;

function describe(error: unknown): { code: string; message: string } {
  return { code: errorCodeOf(error) ?? 'PIPELINE_WORKER_FAILED', message: error instanceof Error ? error.message : String(error) };
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', error: describe(error) } satisfies FromWorker);
});

/**
 * Lowers this thread's CPU priority (not the process's): on Linux a thread id is a task id for
 * setpriority(2), and /proc/thread-self names this thread's. Elsewhere the priority stays as is.
 */
function niceThisThread(nice: number, logger: Logger): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId <= 0) throw new Error('no thread id in /proc/thread-self');
    setPriority(threadId, nice);
  } catch (error) {
    logger.info('pipeline worker priority left unchanged', { nice, error });
  }
}
