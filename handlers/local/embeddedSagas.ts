/**
 * The sagas of the embedded system: their pipeline ports (`commands`: the command service behind
 * idempotency keys; `sagas`: the event store and the deadlines in nexus.db) and the timer that
 * times their steps out. Built where the saga pipelines run: in-process, or in the pipeline
 * worker over its own connections (SQLite serialises the appends of both threads; a command's
 * idempotency key is completed in the transaction of its events, whichever thread wrote them).
 */
import type { Database } from 'better-sqlite3';
import { SqliteSagaDeadlineStore } from '../../adapters/embedded/SqliteSagaDeadlineStore';
import { wireSagas } from '../../core/saga/sagaWiring';
import type { SagaWiring, SagaWiringDependencies } from '../../core/saga/sagaWiring';

/** What {@link embeddedSagas} is built from. */
export type EmbeddedSagasDependencies = Omit<SagaWiringDependencies, 'deadlines'> & {
  /** The connection to nexus.db the deadlines are kept on. */
  eventsDb: Database;
};

/** The saga ports and timer of one thread. */
export interface EmbeddedSagas extends SagaWiring {
  /** Sweeps every second (SAGA_SWEEP_INTERVAL_MS); returns the function that stops it. */
  startTimer(): () => void;
}

export function embeddedSagas(deps: EmbeddedSagasDependencies): EmbeddedSagas {
  const { eventsDb, ...rest } = deps;
  const wiring = wireSagas({ ...rest, deadlines: new SqliteSagaDeadlineStore(eventsDb) });
  return { ...wiring, startTimer: () => wiring.timer.startSweeping() };
}
