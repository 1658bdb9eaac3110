/**
 * Sagas on AWS: their pipeline ports (`commands`: the command service behind the DynamoDB
 * idempotency table; `sagas`: the events table and the saga deadlines table) and the timer that
 * times their steps out. The scheduled sagaTimeouts function (handlers/aws/lambda/sagaTimeouts.ts)
 * sweeps once a minute; `npm start -- --backend aws` sweeps every second, like the embedded system.
 */
import { DynamoDbSagaDeadlineStore } from '../../adapters/aws/DynamoDbSagaDeadlineStore';
import { wireSagas } from '../../core/saga/sagaWiring';
import type { SagaWiring, SagaWiringDependencies } from '../../core/saga/sagaWiring';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';

/** What {@link awsSagas} builds from. */
export type AwsSagaDependencies = Omit<SagaWiringDependencies, 'deadlines'> & {
  clients: Pick<AwsClients, 'dynamo'>;
  config: Pick<AwsBackendConfig, 'names'>;
};

/** The AWS system's saga parts. */
export type AwsSagas = SagaWiring;

/** Wires the saga parts over the events, idempotency and saga deadlines tables; calls no AWS API. */
export function awsSagas(deps: AwsSagaDependencies): AwsSagas {
  const { clients, config, ...rest } = deps;
  return wireSagas({ ...rest, deadlines: new DynamoDbSagaDeadlineStore({ client: clients.dynamo, tableName: config.names.sagaDeadlinesTable }) });
}
