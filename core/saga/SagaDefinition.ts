import type { PipelineEvent } from '../pipeline/PipelineEvent';

/** A command as a saga step declares it: its type and JSON body. */
export interface SagaCommand {
  type: string;
  body: Record<string, unknown>;
}

/** One step of a saga: what it sends, what settles it, how long it may take, how it is undone. */
export interface SagaStep<Data> {
  /** kebab-case, unique in the saga, e.g. `take-payment`. */
  name: string;
  /** The command that does the step's work, built from the saga's data. */
  command: (data: Data) => SagaCommand;
  /** Event types of the command's outcome that complete the step. */
  completedBy: readonly string[];
  /** Event types of the command's outcome that fail it. @defaultValue [] */
  failedBy?: readonly string[];
  /** How long the step may wait for its outcome before it fails with reason `timeout`. */
  timeoutMs: number;
  /**
   * The command that undoes the step once it completed (run when a later step fails), built from
   * the saga's data; it must accept being sent when there is nothing to undo. Absent: nothing to undo.
   */
  compensation?: (data: Data) => SagaCommand;
}

/** A saga as declared: see {@link defineSaga}. */
export interface SagaDefinition<Data extends Record<string, unknown> = Record<string, unknown>> {
  /** kebab-case; the idempotency keys' sender is `saga:<name>`. */
  name: string;
  /** The event type that starts a saga. */
  startedBy: string;
  /** Which events of that type start one. @defaultValue every one */
  startsWhen?: (event: PipelineEvent) => boolean;
  /** The saga id of the saga an event starts (its stream's aggregate id), e.g. `fulfilment-<orderId>`. */
  sagaId: (event: PipelineEvent) => string;
  /** The saga's data, taken from the event that starts it (JSON: stored in SagaStarted). */
  data: (event: PipelineEvent) => Data;
  /** Whose saga it is, for authorization on own resources. @defaultValue nobody's */
  ownerOf?: (data: Data) => string;
  /** The steps, run one after another. */
  steps: readonly SagaStep<Data>[];
}

const KEBAB = /^[a-z][a-z0-9-]*$/;

/**
 * Declares a saga: a process that reacts to events by sending commands, one step at a time, and
 * undoes what it did when a step fails. Run it in a pipeline with `runSaga` (see
 * pipelines/fulfilment.ts); its transitions are events of its own stream (core/saga/SagaEvents.ts).
 *
 * Guarantees (see SagaRuntime): a step's command is recorded (StepStarted) before it is sent and
 * is sent at most once (an idempotency key per saga, step and kind); a step that fails (an event
 * of `failedBy`, a refused command) or times out is followed by the compensations of the completed
 * steps in reverse order (a timed-out step is compensated first, as its command may have taken effect).
 *
 * @example
 * ```ts
 * const fulfilment = defineSaga({
 *   name: 'fulfilment',
 *   startedBy: 'OrderPlaced',
 *   sagaId: (event) => `fulfilment-${event.envelope.aggregateId}`,
 *   data: (event) => ({ orderId: event.envelope.aggregateId }),
 *   steps: [{ name: 'reserve-stock', command: ({ orderId }) => ({ type: 'ReserveStock', body: { orderId } }),
 *             completedBy: ['StockReserved'], failedBy: ['StockUnavailable'], timeoutMs: 30_000,
 *             compensation: ({ orderId }) => ({ type: 'ReleaseStock', body: { orderId } }) }],
 * });
 * ```
 *
 * Errors: a TypeError for a name that is not kebab-case, no steps, duplicate step names, or a
 * timeout that is not a positive integer.
 */
export function defineSaga<Data extends Record<string, unknown>>(definition: SagaDefinition<Data>): SagaDefinition<Data> {
  const problems: string[] = [];
  if (!KEBAB.test(definition.name)) problems.push(`name "${definition.name}" must be kebab-case (a-z, 0-9, -)`);
  if (definition.steps.length === 0) problems.push('steps must hold at least one step');
  const names = new Set<string>();
  definition.steps.forEach((step, index) => {
    if (!KEBAB.test(step.name)) problems.push(`steps[${index}].name "${step.name}" must be kebab-case`);
    if (names.has(step.name)) problems.push(`steps[${index}].name "${step.name}" is declared twice`);
    names.add(step.name);
    if (!Number.isSafeInteger(step.timeoutMs) || step.timeoutMs <= 0) problems.push(`steps[${index}].timeoutMs must be a positive integer; got ${step.timeoutMs}`);
    if (step.completedBy.length === 0) problems.push(`steps[${index}].completedBy must name at least one event type`);
  });
  if (problems.length > 0) throw new TypeError(`saga "${definition.name}": ${problems.join('; ')}`);
  return definition;
}

/** The idempotency keys' sender of a saga's commands. */
export function senderOf(saga: Pick<SagaDefinition, 'name'>): string {
  return `saga:${saga.name}`;
}

/** Envelope metadata of the events a saga's command produces: how the saga recognises their outcome. */
export const SAGA_METADATA = {
  saga: 'saga',
  sagaId: 'sagaId',
  step: 'sagaStep',
  kind: 'sagaStepKind',
} as const;
