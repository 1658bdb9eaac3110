import type { Observable } from 'rxjs';

/** Everything an observable did, once it errored or completed. */
export interface Settled<T> {
  values: T[];
  error?: unknown;
  completed: boolean;
}

/** Subscribes and resolves when `source` errors or completes (for operators that do real I/O). */
export function settle<T>(source: Observable<T>): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const values: T[] = [];
    source.subscribe({
      next: (value) => values.push(value),
      error: (error: unknown) => resolve({ values, error, completed: false }),
      complete: () => resolve({ values, completed: true }),
    });
  });
}
