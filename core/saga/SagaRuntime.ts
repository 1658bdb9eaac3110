import { isConcurrencyConflictError } from '../events/EventStoreErrors';
import type { Logger } from '../logging/Logger';
import { silentLogger } from '../logging/Logger';
import type { PipelineEvent } from '../pipeline/PipelineEvent';
import type { CommandGateway } from './CommandGateway';
import type { SagaDeadline, SagaDeadlineStore } from './SagaDeadlineStore';
import { SAGA_METADATA, senderOf } from './SagaDefinition';
import type { SagaDefinition, SagaStep } from './SagaDefinition';
import { SAGA_AGGREGATE_TYPE } from './SagaEvents';
import type { SagaEvent } from './SagaEvents';
import type { SagaAppendContext, SagaJournal } from './SagaJournal';
import { evolveSaga } from './SagaState';
import type { NoSaga, SagaState } from './SagaState';
import { commandOf, nextAfterCompletion, nextCompensation, stepStarted } from './sagaTransitions';

/** What a saga runtime works with. */
export interface SagaRuntimeDependencies {
  journal: SagaJournal;
  deadlines: SagaDeadlineStore;
  commands: CommandGateway;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
  /** @defaultValue silentLogger */
  logger?: Logger;
}

/** What the runtime did with one event or deadline. */
export interface SagaOutcome {
  sagaId: string;
  /** False when the event or deadline did not concern a running saga (a duplicate, a stale deadline). */
  handled: boolean;
  status: SagaState['status'] | 'none';
}

/** True when the event starts `saga` or is the outcome of one of its commands. */
export function concernsSaga(saga: SagaDefinition, event: PipelineEvent): boolean {
  // A saga's own transitions are never its input: its stream is written, not read, by its pipeline.
  if (event.envelope.aggregateType === SAGA_AGGREGATE_TYPE) return false;
  if (event.envelope.metadata[SAGA_METADATA.saga] === saga.name) return true;
  return event.eventType === saga.startedBy && (saga.startsWhen?.(event) ?? true);
}

/**
 * Runs one declared saga: turns the event that starts it, the outcomes of its commands and its
 * deadlines into transitions of its stream, and sends the commands those transitions call for.
 *
 * Crash safety: a transition is appended (optimistic concurrency on the saga stream) before the
 * command it calls for is sent; the command goes through the {@link CommandGateway} with the key
 * `<sagaId>/<step>/<kind>`, so sending it again is harmless. Every event the runtime handles ends
 * with the in-flight command sent (again), so a run killed between the append and the send is
 * finished by the next delivery of the same event (the pipeline's checkpoint is not past it).
 *
 * Errors: a `CONCURRENCY_CONFLICT` (another runtime recorded first) and transient failures of the
 * stores and the gateway reject, so the pipeline retries the event; a refused command is a step
 * failure, not an error.
 */
export class SagaRuntime<Data extends Record<string, unknown> = Record<string, unknown>> {
  private readonly clock: () => Date;
  private readonly logger: Logger;

  constructor(
    private readonly saga: SagaDefinition<Data>,
    private readonly deps: SagaRuntimeDependencies,
  ) {
    this.clock = deps.clock ?? (() => new Date());
    this.logger = deps.logger ?? silentLogger;
  }

  /** Handles an event that concerns the saga (see {@link concernsSaga}). */
  async handle(event: PipelineEvent): Promise<SagaOutcome> {
    const cause = { correlationId: event.envelope.correlationId, causationId: event.envelope.eventId };
    const sagaId = event.envelope.metadata[SAGA_METADATA.sagaId];
    if (event.envelope.metadata[SAGA_METADATA.saga] === this.saga.name && sagaId !== undefined) return this.settle(sagaId, event, cause);
    return this.start(event, cause);
  }

  /** Fails the deadline's step with reason `timeout` if it is still in flight and due; clears a stale deadline. */
  async timeOut(deadline: SagaDeadline): Promise<SagaOutcome> {
    const { sagaId, step } = deadline;
    const state = await this.deps.journal.load(sagaId);
    const inFlight = state.status === 'none' ? null : state.inFlight;
    if (state.status === 'none' || inFlight === null || inFlight.kind !== 'action' || inFlight.step !== step) {
      await this.deps.deadlines.clear(sagaId, step);
      return { sagaId, handled: false, status: state.status };
    }
    const now = this.clock().toISOString();
    if (inFlight.deadline !== null && inFlight.deadline > now) {
      // The stream's deadline is the truth; the store's was older (the step was started again).
      await this.deps.deadlines.schedule({ sagaType: this.saga.name, sagaId, step, dueAt: inFlight.deadline });
      return { sagaId, handled: false, status: state.status };
    }
    const context = { correlationId: sagaId };
    const failed = await this.record(state, [this.failure(state, step, 'timeout', `no outcome by ${inFlight.deadline ?? now}`)], context, true);
    await this.deps.deadlines.clear(sagaId, step);
    return this.drive(failed, context);
  }

  private async start(event: PipelineEvent, cause: SagaAppendContext): Promise<SagaOutcome> {
    const sagaId = this.saga.sagaId(event);
    let state = await this.deps.journal.load(sagaId);
    if (state.status === 'none') {
      const data = this.saga.data(event);
      const first = this.saga.steps[0] as SagaStep<Data>;
      const started: SagaEvent = {
        type: 'SagaStarted',
        data: { sagaId, sagaType: this.saga.name, ownerId: this.saga.ownerOf?.(data) ?? null, data: JSON.stringify(data), startedBy: event.envelope.eventId },
      };
      state = await this.record(state, [started, stepStarted(sagaId, first, 'action', data, this.clock())], cause);
      this.logger.info('saga started', { saga: this.saga.name, sagaId, correlationId: cause.correlationId });
    }
    return this.drive(state, cause);
  }

  private async settle(sagaId: string, event: PipelineEvent, cause: SagaAppendContext): Promise<SagaOutcome> {
    let state = await this.deps.journal.load(sagaId);
    if (state.status === 'none') return { sagaId, handled: false, status: 'none' };
    const meta = event.envelope.metadata;
    const inFlight = state.inFlight;
    const isOutcome = inFlight !== null && inFlight.kind === 'action' && meta[SAGA_METADATA.kind] === 'action' && meta[SAGA_METADATA.step] === inFlight.step;
    if (isOutcome) {
      const step = this.stepNamed(inFlight.step);
      if (step.completedBy.includes(event.eventType)) {
        const completed: SagaEvent = { type: 'StepCompleted', data: { sagaId, step: step.name, eventType: event.eventType, eventId: event.envelope.eventId } };
        state = await this.record(state, [completed], cause, true);
        if (state.status === 'completed') await this.deps.deadlines.clear(sagaId, step.name);
      } else if ((step.failedBy ?? []).includes(event.eventType)) {
        state = await this.record(state, [this.failure(state, step.name, 'event', event.eventType)], cause, true);
        await this.deps.deadlines.clear(sagaId, step.name);
      }
    }
    return this.drive(state, cause);
  }

  /**
   * Sends the in-flight command (again: the gateway answers a resend with the first outcome) and
   * records what follows without waiting for an event: a refused action fails its step, a sent
   * compensation is settled. Stops when an action waits for its outcome or the saga has ended.
   */
  private async drive(initial: SagaState | NoSaga, cause: SagaAppendContext): Promise<SagaOutcome> {
    let state = initial;
    while (state.status !== 'none' && state.inFlight !== null) {
      const { step, kind, commandId, deadline } = state.inFlight;
      const data = state.data as Data;
      const declared = this.stepNamed(step);
      if (kind === 'action' && deadline !== null) {
        await this.deps.deadlines.schedule({ sagaType: this.saga.name, sagaId: state.sagaId, step, dueAt: deadline });
      }
      const command = commandOf(declared, kind, data);
      const sent = await this.deps.commands.send({
        commandType: command.type,
        body: command.body,
        sender: senderOf(this.saga),
        idempotencyKey: commandId,
        correlationId: cause.correlationId,
        ...(cause.causationId === undefined ? {} : { causationId: cause.causationId }),
        metadata: { [SAGA_METADATA.saga]: this.saga.name, [SAGA_METADATA.sagaId]: state.sagaId, [SAGA_METADATA.step]: step, [SAGA_METADATA.kind]: kind },
      });
      if (kind === 'action') {
        if (sent.outcome === 'accepted') break;
        state = await this.record(state, [this.failure(state, step, 'rejected', `${sent.code}: ${sent.message}`)], cause, true);
        await this.deps.deadlines.clear(state.sagaId, step);
        continue;
      }
      const detail = sent.outcome === 'accepted' ? `events ${sent.result.eventIds.length}` : `${sent.code}: ${sent.message}`;
      if (sent.outcome === 'rejected') this.logger.warn('saga compensation refused', { saga: this.saga.name, sagaId: state.sagaId, step, detail });
      const compensated: SagaEvent = { type: 'StepCompensated', data: { sagaId: state.sagaId, step, commandType: command.type, outcome: sent.outcome, detail } };
      state = await this.record(state, [compensated], cause, true);
    }
    if (state.status === 'none') return { sagaId: '', handled: false, status: 'none' };
    return { sagaId: state.sagaId, handled: true, status: state.status };
  }

  private failure(state: SagaState, step: string, reason: 'event' | 'rejected' | 'timeout', detail: string): SagaEvent {
    return { type: 'StepFailed', data: { sagaId: state.sagaId, step, reason, detail } };
  }

  /**
   * Appends `events` at the state's version and folds them in. With `follow`, the transition that
   * comes next without an outside event is appended in the same write: the next step or
   * SagaCompleted after a completion, the next compensation or SagaAborted after a failure or a
   * compensation, so the stream never rests between the two.
   */
  private async record(state: SagaState | NoSaga, events: SagaEvent[], context: SagaAppendContext, follow = false): Promise<SagaState> {
    let next = events.reduce<SagaState | NoSaga>((folded, event, index) => evolveSaga(folded, event, state.version + index + 1), state);
    const all = [...events];
    if (follow && next.status !== 'none') {
      const last = events[events.length - 1] as SagaEvent;
      const followUp = last.type === 'StepCompleted' ? nextAfterCompletion(this.saga, next, this.clock()) : nextCompensation(this.saga, next, this.clock());
      next = evolveSaga(next, followUp, next.version + 1);
      all.push(followUp);
    }
    if (next.status === 'none') throw new TypeError('a saga transition must start with SagaStarted');
    try {
      await this.deps.journal.append(next.sagaId, state.version, all, context);
    } catch (error) {
      if (isConcurrencyConflictError(error)) this.logger.debug('saga transition conflicted; the event is handled again', { sagaId: next.sagaId });
      throw error;
    }
    return next;
  }

  private stepNamed(name: string): SagaStep<Data> {
    const step = this.saga.steps.find((candidate) => candidate.name === name);
    if (!step) throw new TypeError(`saga ${this.saga.name} has no step "${name}" (its stream was written by another declaration)`);
    return step;
  }
}

