import type { SagaEvent, StepKind } from './SagaEvents';

/** Where a saga is in its life. */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'aborted';

/** The command a saga sent and has not settled yet. */
export interface InFlightStep {
  step: string;
  kind: StepKind;
  commandType: string;
  commandId: string;
  /** ISO-8601 UTC (actions only). */
  deadline: string | null;
}

/** A step that failed, and why. */
export interface StepFailure {
  step: string;
  reason: string;
  detail: string;
}

/** A saga's state, folded from its stream. */
export interface SagaState {
  sagaId: string;
  sagaType: string;
  ownerId: string | null;
  status: SagaStatus;
  /** The saga's data, from the event that started it. */
  data: Record<string, unknown>;
  /** The step being worked on (or undone): the in-flight one, else null once the saga ended. */
  currentStep: string | null;
  inFlight: InFlightStep | null;
  /** Completed steps, in the order they completed. */
  completedSteps: string[];
  /** Compensated steps, in the order they were compensated (the reverse of completion). */
  compensatedSteps: string[];
  failure: StepFailure | null;
  /** The stream's version the state was folded up to. */
  version: number;
}

/** The state before a saga started: no stream. */
export type NoSaga = { status: 'none'; version: 0 };

/**
 * Folds a saga's transitions into its state; pure, so the API, the saga runtime and tests
 * compute the same view. Transitions that do not fit the state (a stream written by a newer
 * saga runtime) are skipped rather than thrown: the audit trail stays readable.
 */
export function evolveSaga(state: SagaState | NoSaga, event: SagaEvent, version: number): SagaState | NoSaga {
  if (event.type === 'SagaStarted') {
    const { sagaId, sagaType, ownerId, data } = event.data;
    return {
      sagaId,
      sagaType,
      ownerId,
      status: 'running',
      data: JSON.parse(data) as Record<string, unknown>,
      currentStep: null,
      inFlight: null,
      completedSteps: [],
      compensatedSteps: [],
      failure: null,
      version,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'StepStarted': {
      const { step, kind, commandType, commandId, deadline } = event.data;
      return { ...state, currentStep: step, inFlight: { step, kind, commandType, commandId, deadline }, version };
    }
    case 'StepCompleted':
      return { ...state, inFlight: null, completedSteps: [...state.completedSteps, event.data.step], version };
    case 'StepFailed': {
      const { step, reason, detail } = event.data;
      return { ...state, status: 'compensating', inFlight: null, failure: { step, reason, detail }, version };
    }
    case 'StepCompensated':
      return { ...state, inFlight: null, compensatedSteps: [...state.compensatedSteps, event.data.step], version };
    case 'SagaCompleted':
      return { ...state, status: 'completed', currentStep: null, inFlight: null, version };
    case 'SagaAborted':
      return { ...state, status: 'aborted', currentStep: null, inFlight: null, version };
  }
}

/** The state of a saga whose stream holds `events`, in order. */
export function sagaStateOf(events: readonly SagaEvent[]): SagaState | NoSaga {
  return events.reduce<SagaState | NoSaga>((state, event, index) => evolveSaga(state, event, index + 1), { status: 'none', version: 0 });
}
