import type { SagaCommand, SagaDefinition, SagaStep } from './SagaDefinition';
import type { SagaEvent, StepKind } from './SagaEvents';
import type { SagaState } from './SagaState';

/** The idempotency key of a step's command: one per saga, step and kind. */
export function commandIdOf(sagaId: string, step: string, kind: StepKind): string {
  return `${sagaId}/${step}/${kind}`;
}

/** The command of a step's action or compensation; a compensation the step does not declare is a TypeError (a stream from another declaration). */
export function commandOf<Data extends Record<string, unknown>>(step: SagaStep<Data>, kind: StepKind, data: Data): SagaCommand {
  if (kind === 'action') return step.command(data);
  if (step.compensation === undefined) throw new TypeError(`step "${step.name}" declares no compensation`);
  return step.compensation(data);
}

/** StepStarted for `step`'s action (with its deadline) or compensation. */
export function stepStarted<Data extends Record<string, unknown>>(sagaId: string, step: SagaStep<Data>, kind: StepKind, data: Data, now: Date): SagaEvent {
  const command = commandOf(step, kind, data);
  const deadline = kind === 'action' ? new Date(now.getTime() + step.timeoutMs).toISOString() : null;
  return { type: 'StepStarted', data: { sagaId, step: step.name, kind, commandType: command.type, commandId: commandIdOf(sagaId, step.name, kind), deadline } };
}

/** What follows the completion of the last completed step: the next step's start, or SagaCompleted. */
export function nextAfterCompletion<Data extends Record<string, unknown>>(saga: SagaDefinition<Data>, state: SagaState, now: Date): SagaEvent {
  const last = state.completedSteps[state.completedSteps.length - 1];
  const index = saga.steps.findIndex((step) => step.name === last);
  const next = saga.steps[index + 1];
  if (next === undefined) return { type: 'SagaCompleted', data: { sagaId: state.sagaId } };
  return stepStarted(state.sagaId, next, 'action', state.data as Data, now);
}

/**
 * The steps to undo after a failure, in order: the failed step first when it timed out (its
 * command may have taken effect), then the completed steps in reverse; only steps with a
 * compensation.
 */
export function compensationOrder<Data extends Record<string, unknown>>(saga: SagaDefinition<Data>, state: SagaState): SagaStep<Data>[] {
  const names = [...state.completedSteps].reverse();
  if (state.failure?.reason === 'timeout' && !names.includes(state.failure.step)) names.unshift(state.failure.step);
  return names
    .map((name) => saga.steps.find((step) => step.name === name))
    .filter((step): step is SagaStep<Data> => step?.compensation !== undefined);
}

/** What follows a failure or a compensation: the next compensation's start, or SagaAborted. */
export function nextCompensation<Data extends Record<string, unknown>>(saga: SagaDefinition<Data>, state: SagaState, now: Date): SagaEvent {
  const next = compensationOrder(saga, state).find((step) => !state.compensatedSteps.includes(step.name));
  if (next !== undefined) return stepStarted(state.sagaId, next, 'compensation', state.data as Data, now);
  const failure = state.failure ?? { step: 'unknown', reason: 'unknown', detail: '' };
  return { type: 'SagaAborted', data: { sagaId: state.sagaId, failedStep: failure.step, reason: `${failure.reason}: ${failure.detail}` } };
}
