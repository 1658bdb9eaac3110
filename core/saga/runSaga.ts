import { concatMap, filter } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { PipelineContext } from '../pipeline/PipelineDefinition';
import type { PipelineEvent } from '../pipeline/PipelineEvent';
import { NexusError } from '../errors/NexusError';
import type { SagaDefinition } from './SagaDefinition';
import { SagaJournal } from './SagaJournal';
import { concernsSaga, SagaRuntime } from './SagaRuntime';
import type { SagaOutcome } from './SagaRuntime';

/** Error code of a saga pipeline whose context lacks the `commands` or `sagas` port. */
export const SAGA_PORTS_MISSING = 'SAGA_PORTS_MISSING';

/**
 * Runs `saga` over decoded, upcast events: the events that start it and the outcomes of its
 * commands (recognised by the envelope metadata its commands carry) become transitions of its
 * stream and the commands they call for; other events pass by without output. One event at a
 * time, in order.
 *
 * @example
 * ```ts
 * records$.pipe(decode(ctx.codec), upcast(ctx.upcasters), runSaga(fulfilmentSaga, ctx))
 * ```
 *
 * Error: a context without `commands` and `sagas` errors at the first event (`SAGA_PORTS_MISSING`);
 * a store or gateway failure errors the output, so the runner retries the event (see SagaRuntime).
 * Complete: completes after the last event's transitions. Unsubscribe: unsubscribes the source;
 * a command already sent is not undone (its idempotency key makes the retry harmless).
 */
export function runSaga<Data extends Record<string, unknown>>(saga: SagaDefinition<Data>, context: PipelineContext): OperatorFunction<PipelineEvent, SagaOutcome> {
  const runtime = runtimeOf(saga, context);
  return (events$) =>
    events$.pipe(
      filter((event) => concernsSaga(saga as unknown as SagaDefinition, event)),
      concatMap((event) => runtime().handle(event)),
    );
}

/** The runtime, built on first use so that a pipeline without the ports fails only when a saga event comes. */
function runtimeOf<Data extends Record<string, unknown>>(saga: SagaDefinition<Data>, context: PipelineContext): () => SagaRuntime<Data> {
  let runtime: SagaRuntime<Data> | undefined;
  return () => {
    if (runtime) return runtime;
    const { commands, sagas } = context;
    if (!commands || !sagas) {
      throw new NexusError(SAGA_PORTS_MISSING, `pipeline ${context.pipelineName} runs saga ${saga.name} without the commands and sagas ports (declare uses: ['commands', 'sagas'] and wire them)`);
    }
    runtime = new SagaRuntime(saga, { journal: new SagaJournal(sagas.eventStore, context.codec), deadlines: sagas.deadlines, commands, logger: context.logger });
    return runtime;
  };
}
