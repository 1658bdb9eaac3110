/**
 * The events of a saga's own stream (aggregateType {@link SAGA_AGGREGATE_TYPE}, aggregateId the
 * saga id), each registered in schemas/ as `nexus.saga.<Type>.v1`. Folding them gives the saga's
 * state (see sagaStateOf); the stream is its audit trail.
 */

/** The aggregate type of every saga stream. */
export const SAGA_AGGREGATE_TYPE = 'Saga';

/** Whether a step's command does the step's work or undoes it. */
export type StepKind = 'action' | 'compensation';

/** Why a step failed. */
export type StepFailureReason = 'event' | 'rejected' | 'timeout';

export interface SagaStartedData {
  sagaId: string;
  sagaType: string;
  ownerId: string | null;
  /** The saga's data as JSON. */
  data: string;
  /** The eventId of the event that started the saga. */
  startedBy: string;
}

export interface StepStartedData {
  sagaId: string;
  step: string;
  kind: StepKind;
  commandType: string;
  /** The idempotency key the command is sent with. */
  commandId: string;
  /** ISO-8601 UTC, actions only. */
  deadline: string | null;
}

export interface StepCompletedData {
  sagaId: string;
  step: string;
  eventType: string;
  eventId: string;
}

export interface StepFailedData {
  sagaId: string;
  step: string;
  reason: StepFailureReason;
  detail: string;
}

export interface StepCompensatedData {
  sagaId: string;
  step: string;
  commandType: string;
  outcome: 'accepted' | 'rejected';
  detail: string;
}

export interface SagaCompletedData {
  sagaId: string;
}

export interface SagaAbortedData {
  sagaId: string;
  failedStep: string;
  reason: string;
}

/** One saga transition, as appended to (and read from) the saga's stream. */
export type SagaEvent =
  | { type: 'SagaStarted'; data: SagaStartedData }
  | { type: 'StepStarted'; data: StepStartedData }
  | { type: 'StepCompleted'; data: StepCompletedData }
  | { type: 'StepFailed'; data: StepFailedData }
  | { type: 'StepCompensated'; data: StepCompensatedData }
  | { type: 'SagaCompleted'; data: SagaCompletedData }
  | { type: 'SagaAborted'; data: SagaAbortedData };

/** The event types of a saga stream, as registered in schemas/ (namespace `nexus.saga`). */
export const SAGA_EVENT_TYPES = ['SagaStarted', 'StepStarted', 'StepCompleted', 'StepFailed', 'StepCompensated', 'SagaCompleted', 'SagaAborted'] as const;

export type SagaEventType = SagaEvent['type'];
