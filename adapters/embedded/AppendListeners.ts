import type { Logger } from '../../core/logging/Logger';

/**
 * In-process wake-up listeners of a log. `notify` calls each listener synchronously; a listener
 * that throws is logged and skipped, never propagated to the writer that committed.
 */
export class AppendListeners {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly logger: Logger, private readonly logName: string) {}

  /** Adds `listener`; returns a function that removes it. */
  add(listener: () => void): () => void {
    // Wrapped so that subscribing the same function twice yields two independent subscriptions.
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.warn('append listener failed', { log: this.logName, error });
      }
    }
  }
}
