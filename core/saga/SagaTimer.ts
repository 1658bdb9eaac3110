import type { Logger } from '../logging/Logger';
import { silentLogger } from '../logging/Logger';
import { isConcurrencyConflictError } from '../events/EventStoreErrors';
import type { SagaDeadlineStore } from './SagaDeadlineStore';
import type { SagaOutcome, SagaRuntime } from './SagaRuntime';

/** Tunables of {@link SagaTimer}. */
export interface SagaTimerOptions {
  /** Deadlines handled per sweep. @defaultValue 100 */
  batchSize?: number;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
  /** @defaultValue silentLogger */
  logger?: Logger;
}

const DEFAULTS = { batchSize: 100, clock: (): Date => new Date(), logger: silentLogger };

/** How often a long-running process (the embedded system, `npm start -- --backend aws`) sweeps. */
export const SAGA_SWEEP_INTERVAL_MS = 1000;

/**
 * Times sagas' steps out: each sweep reads the due deadlines and hands each to its saga's
 * runtime, which fails the step (reason `timeout`) and compensates, or clears a stale deadline.
 * Embedded, a timer calls `sweep` every second; on AWS, a scheduled function (EventBridge,
 * rate(1 minute)) calls it once per invocation.
 *
 * A deadline whose saga is busy (`CONCURRENCY_CONFLICT`: the pipeline recorded first) or whose
 * handling fails is logged and left for the next sweep; one failure never stops the others.
 *
 * @example
 * ```ts
 * const timer = new SagaTimer(new Map([['fulfilment', runtime]]), deadlines);
 * const outcomes = await timer.sweep();
 * ```
 */
export class SagaTimer {
  private readonly settings: Required<SagaTimerOptions>;

  constructor(
    private readonly runtimes: ReadonlyMap<string, Pick<SagaRuntime, 'timeOut'>>,
    private readonly deadlines: SagaDeadlineStore,
    options: SagaTimerOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...options };
  }

  /**
   * Sweeps every `intervalMs` until the returned function is called. One sweep at a time: a slow
   * one (a compensation's command) is not overtaken by the next. A failed sweep is logged.
   */
  startSweeping(intervalMs: number = SAGA_SWEEP_INTERVAL_MS): () => void {
    let sweeping = false;
    const interval = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      this.sweep()
        .catch((error: unknown) => this.settings.logger.warn('saga deadline sweep failed', { error }))
        .finally(() => {
          sweeping = false;
        });
    }, intervalMs);
    interval.unref();
    return () => clearInterval(interval);
  }

  /** Handles the deadlines due now; resolves with what became of each. */
  async sweep(): Promise<SagaOutcome[]> {
    const due = await this.deadlines.due(this.settings.clock().toISOString(), this.settings.batchSize);
    const outcomes: SagaOutcome[] = [];
    for (const deadline of due) {
      const runtime = this.runtimes.get(deadline.sagaType);
      if (!runtime) {
        this.settings.logger.warn('saga deadline of an unknown saga type left in place', { ...deadline });
        continue;
      }
      try {
        outcomes.push(await runtime.timeOut(deadline));
      } catch (error) {
        const level = isConcurrencyConflictError(error) ? 'debug' : 'warn';
        this.settings.logger[level]('saga deadline not handled; the next sweep tries again', { ...deadline, error });
      }
    }
    return outcomes;
  }
}
