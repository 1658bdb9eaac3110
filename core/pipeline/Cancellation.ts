/**
 * A stop switch for waits: `delay` resolves true after `ms`, or false at once when cancelled
 * (before or during the wait). Cancelling is final; the runner makes a new one on each start.
 */
export class Cancellation {
  private cancelledFlag = false;
  private readonly pending = new Set<() => void>();

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Resolves true once `ms` have passed, false if cancelled first; never rejects. */
  delay(ms: number): Promise<boolean> {
    if (this.cancelledFlag) return Promise.resolve(false);
    return new Promise((resolve) => {
      const end = (elapsed: boolean): void => {
        clearTimeout(timer);
        this.pending.delete(wake);
        resolve(elapsed);
      };
      const wake = (): void => end(false);
      const timer = setTimeout(() => end(true), ms);
      this.pending.add(wake);
    });
  }

  cancel(): void {
    this.cancelledFlag = true;
    for (const wake of [...this.pending]) wake();
  }
}
