/**
 * Sagas on AWS: their pipeline ports (`commands`: the command service behind the DynamoDB
 * idempotency table; `sagas`: the events table and the saga deadlines table) and the timer that
 * times their steps out. The scheduled sagaTimeouts function (handlers/aws/lambda/sagaTimeouts.ts)
 * sweeps once a minute; `npm start -- --backend aws` sweeps every second, like the embedded system.
 */
import { DynamoDbSagaDeadlineStore } from '../../adapters/aws/DynamoDbSagaDeadlineStore';
import type { CommandService } from '../../core/command/CommandService';
import type { EventStore } from '../../core/events/EventStore';
import type { IdempotencyStore } from '../../core/idempotency/IdempotencyStore';
import type { Logger } from '../../core/logging/Logger';
import type { PipelineContext } from '../../core/pipeline/PipelineDefinition';
import type { EventCodec } from '../../core/schema/EventCodec';
import { IdempotentCommandGateway } from '../../core/saga/IdempotentCommandGateway';
import type { SagaDefinition } from '../../core/saga/SagaDefinition';
import { SagaJournal } from '../../core/saga/SagaJournal';
import { SagaRuntime } from '../../core/saga/SagaRuntime';
import { SagaTimer } from '../../core/saga/SagaTimer';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';

/** How often `npm start -- --backend aws` sweeps due deadlines (on Lambda: the schedule, once a minute). */
export const SAGA_SWEEP_INTERVAL_MS = 1000;

/** What {@link awsSagas} builds from. */
export interface AwsSagaDependencies {
  clients: Pick<AwsClients, 'dynamo'>;
  config: Pick<AwsBackendConfig, 'names'>;
  eventStore: EventStore;
  codec: EventCodec;
  commands: CommandService;
  idempotency: IdempotencyStore;
  sagas: readonly SagaDefinition[];
  logger: Logger;
}

/** The AWS system's saga parts. */
export interface AwsSagas {
  ports: Required<Pick<PipelineContext, 'commands' | 'sagas'>>;
  timer: SagaTimer;
}

/** Wires the saga parts over the events, idempotency and saga deadlines tables; calls no AWS API. */
export function awsSagas(deps: AwsSagaDependencies): AwsSagas {
  const deadlines = new DynamoDbSagaDeadlineStore({ client: deps.clients.dynamo, tableName: deps.config.names.sagaDeadlinesTable });
  const commands = new IdempotentCommandGateway(deps.commands, deps.idempotency);
  const journal = new SagaJournal(deps.eventStore, deps.codec);
  const logger = deps.logger.child({ component: 'saga-timer' });
  const runtimes = new Map(deps.sagas.map((saga) => [saga.name, new SagaRuntime(saga, { journal, deadlines, commands, logger })]));
  return { ports: { commands, sagas: { eventStore: deps.eventStore, deadlines } }, timer: new SagaTimer(runtimes, deadlines, { logger }) };
}
