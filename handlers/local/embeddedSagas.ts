/**
 * The sagas of the embedded system: their pipeline ports (`commands`: the command service behind
 * idempotency keys; `sagas`: the event store and the deadlines in nexus.db) and the timer that
 * times their steps out. Built where the saga pipelines run: in-process, or in the pipeline
 * worker over its own connections (SQLite serialises the appends of both threads; a command's
 * idempotency key is completed in the transaction of its events, whichever thread wrote them).
 */
import type { Database } from 'better-sqlite3';
import { SqliteSagaDeadlineStore } from '../../adapters/embedded/SqliteSagaDeadlineStore';
import type { CommandService } from '../../core/command/CommandService';
import type { EventStore } from '../../core/events/EventStore';
import type { IdempotencyStore } from '../../core/idempotency/IdempotencyStore';
import type { Logger } from '../../core/logging/Logger';
import type { PipelineContext } from '../../core/pipeline/PipelineDefinition';
import type { EventCodec } from '../../core/schema/EventCodec';
import { IdempotentCommandGateway } from '../../core/saga/IdempotentCommandGateway';
import type { SagaDefinition } from '../../core/saga/SagaDefinition';
import { SagaJournal } from '../../core/saga/SagaJournal';
import { SagaRuntime } from '../../core/saga/SagaRuntime';
import { SagaTimer } from '../../core/saga/SagaTimer';

/** How often the embedded timer sweeps due deadlines. */
export const SAGA_SWEEP_INTERVAL_MS = 1000;

/** What {@link embeddedSagas} is built from. */
export interface EmbeddedSagasDependencies {
  /** The connection to nexus.db the deadlines are kept on. */
  eventsDb: Database;
  eventStore: EventStore;
  codec: EventCodec;
  commands: CommandService;
  idempotency: IdempotencyStore;
  sagas: readonly SagaDefinition[];
  logger: Logger;
}

/** The saga ports and timer of one thread. */
export interface EmbeddedSagas {
  ports: Required<Pick<PipelineContext, 'commands' | 'sagas'>>;
  timer: SagaTimer;
  /** Sweeps every {@link SAGA_SWEEP_INTERVAL_MS}; returns the function that stops it. */
  startTimer(): () => void;
}

export function embeddedSagas(deps: EmbeddedSagasDependencies): EmbeddedSagas {
  const deadlines = new SqliteSagaDeadlineStore(deps.eventsDb);
  const commands = new IdempotentCommandGateway(deps.commands, deps.idempotency);
  const journal = new SagaJournal(deps.eventStore, deps.codec);
  const logger = deps.logger.child({ component: 'saga-timer' });
  const runtimes = new Map(deps.sagas.map((saga) => [saga.name, new SagaRuntime(saga, { journal, deadlines, commands, logger })]));
  const timer = new SagaTimer(runtimes, deadlines, { logger });
  return {
    ports: { commands, sagas: { eventStore: deps.eventStore, deadlines } },
    timer,
    startTimer: () => {
      let sweeping = false;
      const interval = setInterval(() => {
        // One sweep at a time: a slow one (a compensation's command) is not overtaken by the next.
        if (sweeping) return;
        sweeping = true;
        timer
          .sweep()
          .catch((error: unknown) => logger.warn('saga deadline sweep failed', { error }))
          .finally(() => {
            sweeping = false;
          });
      }, SAGA_SWEEP_INTERVAL_MS);
      interval.unref();
      return () => clearInterval(interval);
    },
  };
}
