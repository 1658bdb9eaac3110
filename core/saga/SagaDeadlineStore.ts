/** When a saga's in-flight step times out. */
export interface SagaDeadline {
  sagaType: string;
  sagaId: string;
  step: string;
  /** ISO-8601 UTC. */
  dueAt: string;
}

/** Error codes owned by the SagaDeadlineStore port. */
export const SAGA_DEADLINE_ERRORS = {
  /** The storage engine failed; retryable. */
  STORE_UNAVAILABLE: 'SAGA_DEADLINE_STORE_UNAVAILABLE',
} as const;

/**
 * The due dates of sagas' in-flight steps, so that a timer (embedded) or a scheduled function
 * (AWS) can fail the steps whose outcome never came. At most one deadline per saga: a saga runs
 * one step at a time. The saga's stream stays the truth: a deadline is only a reminder to look,
 * so a stale one (its step settled meanwhile) is harmless and is cleared when found.
 *
 * Errors: `SAGA_DEADLINE_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * await deadlines.schedule({ sagaType: 'fulfilment', sagaId, step: 'take-payment', dueAt });
 * const due = await deadlines.due(new Date().toISOString(), 100);
 * ```
 */
export interface SagaDeadlineStore {
  /** Sets the saga's deadline (replacing any it had). */
  schedule(deadline: SagaDeadline): Promise<void>;
  /** Removes the saga's deadline, if it is still for `step` (so a newer step's deadline stays). */
  clear(sagaId: string, step: string): Promise<void>;
  /** Deadlines with dueAt <= `now`, earliest first, at most `limit`. */
  due(now: string, limit: number): Promise<SagaDeadline[]>;
}
