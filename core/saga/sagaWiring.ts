import type { CommandService } from '../command/CommandService';
import type { EventStore } from '../events/EventStore';
import type { IdempotencyStore } from '../idempotency/IdempotencyStore';
import type { Logger } from '../logging/Logger';
import type { PipelineContext } from '../pipeline/PipelineDefinition';
import type { EventCodec } from '../schema/EventCodec';
import { IdempotentCommandGateway } from './IdempotentCommandGateway';
import type { SagaDeadlineStore } from './SagaDeadlineStore';
import type { SagaDefinition } from './SagaDefinition';
import { SagaJournal } from './SagaJournal';
import { SagaRuntime } from './SagaRuntime';
import { SagaTimer } from './SagaTimer';

/** What {@link wireSagas} builds from: a backend's stores and the command service. */
export interface SagaWiringDependencies {
  eventStore: EventStore;
  codec: EventCodec;
  commands: CommandService;
  idempotency: IdempotencyStore;
  deadlines: SagaDeadlineStore;
  sagas: readonly SagaDefinition[];
  logger: Logger;
}

/** The saga ports of a pipeline context and the timer of the sagas' deadlines. */
export interface SagaWiring {
  ports: Required<Pick<PipelineContext, 'commands' | 'sagas'>>;
  timer: SagaTimer;
}

/**
 * The saga parts of a system, whichever its backend: the `commands` port (the command service
 * behind idempotency keys), the `sagas` port (the event store and the deadlines) and a timer
 * holding a runtime per declared saga.
 */
export function wireSagas(deps: SagaWiringDependencies): SagaWiring {
  const commands = new IdempotentCommandGateway(deps.commands, deps.idempotency);
  const journal = new SagaJournal(deps.eventStore, deps.codec);
  const logger = deps.logger.child({ component: 'saga-timer' });
  const { deadlines } = deps;
  const runtimes = new Map(deps.sagas.map((saga) => [saga.name, new SagaRuntime(saga, { journal, deadlines, commands, logger })]));
  return { ports: { commands, sagas: { eventStore: deps.eventStore, deadlines } }, timer: new SagaTimer(runtimes, deadlines, { logger }) };
}
