import { NexusError } from '../errors/NexusError';
import { RUNNER_ERRORS } from './RunnerOptions';

interface Waiter {
  afterRead: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The callers of a runner's `whenCaughtUp`: each waits for an empty read that STARTED after its
 * call (so a read already under way, which may miss what was just written, does not count), or
 * fails after its timeout, or when the runner stops.
 */
export class CaughtUpWaiters {
  private readonly waiters = new Set<Waiter>();
  private reads = 0;

  constructor(private readonly pipelineName: string) {}

  /** A promise for one caller; `timeoutMs` bounds it. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        afterRead: this.reads,
        resolve,
        reject,
        timer: setTimeout(() => {
          const message = `pipeline ${this.pipelineName} did not catch up within ${timeoutMs} ms`;
          this.settle(waiter, new NexusError(RUNNER_ERRORS.CAUGHT_UP_TIMEOUT, message, { details: { timeoutMs } }));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Call when a read starts; returns its number, to pass to {@link caughtUp} if it comes back empty. */
  readStarted(): number {
    this.reads += 1;
    return this.reads;
  }

  /** The read numbered `read` found nothing left to do: every caller that was waiting before it is released. */
  caughtUp(read: number): void {
    for (const waiter of this.waiters) if (read > waiter.afterRead) this.settle(waiter);
  }

  /** The runner stopped: every caller fails with NOT_RUNNING. */
  stopped(): void {
    for (const waiter of this.waiters) this.settle(waiter, new NexusError(RUNNER_ERRORS.NOT_RUNNING, `pipeline ${this.pipelineName} stopped`));
  }

  private settle(waiter: Waiter, error?: Error): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}
