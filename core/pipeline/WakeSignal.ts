/**
 * Wakes a polling loop: `wait` returns on the next turn of the event loop when work is pending,
 * else on the next `notify` or after `ms`. Waits that are not `byAppend` (failure backoff) ignore
 * append notifications, so a busy writer cannot hammer a failing store; `interrupt` ends any wait.
 *
 * Never in the same turn: with a synchronous store (SQLite) a whole batch settles in microtasks,
 * so a loop that kept finding work pending would never let timers, I/O or a worker's messages
 * run (a pipeline worker with a backlog answered no metrics request and no stop).
 */
export class WakeSignal {
  /** Something may be readable: the next `wait(…, true)` returns at once. */
  pending = true;
  private interrupted = false;
  private waiting: { resolve: () => void; byAppend: boolean } | undefined;

  wait(ms: number, byAppend: boolean): Promise<void> {
    if (this.interrupted || (byAppend && this.pending)) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve();
      }, ms);
      this.waiting = {
        byAppend,
        resolve: () => {
          clearTimeout(timer);
          this.waiting = undefined;
          resolve();
        },
      };
    });
  }

  /** New records may be readable. */
  notify(): void {
    this.pending = true;
    if (this.waiting?.byAppend) this.waiting.resolve();
  }

  /** Ends the current wait and makes every later wait return at once, until `reset`. */
  interrupt(): void {
    this.interrupted = true;
    this.waiting?.resolve();
  }

  reset(): void {
    this.interrupted = false;
    this.pending = true;
  }
}
