/**
 * Snapshots on AWS: the DynamoDB store (the snapshots table, TTL on expiresAt), the writer, the
 * background scheduler the command service hands its requests to. The time rule runs in the
 * scheduled snapshotSweep function (handlers/aws/lambda/snapshotSweep.ts); expired snapshots are
 * deleted by the table's TTL.
 */
import { DynamoDbSnapshotStore } from '../../adapters/aws/DynamoDbSnapshotStore';
import type { AggregateDefinition } from '../../core/command/AggregateDefinition';
import type { CommandSnapshots } from '../../core/command/CommandService';
import type { EventStore } from '../../core/events/EventStore';
import type { Logger } from '../../core/logging/Logger';
import type { EventCodec } from '../../core/schema/EventCodec';
import { BackgroundSnapshotScheduler } from '../../core/snapshot/SnapshotScheduler';
import { SnapshotWriter } from '../../core/snapshot/SnapshotWriter';
import type { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';

/** What {@link awsSnapshots} builds from. */
export interface AwsSnapshotDependencies {
  clients: Pick<AwsClients, 'dynamo'>;
  config: Pick<AwsBackendConfig, 'names'>;
  eventStore: EventStore;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  aggregates: readonly AggregateDefinition[];
  logger: Logger;
}

/** The AWS system's snapshots. */
export interface AwsSnapshots {
  store: DynamoDbSnapshotStore;
  scheduler: BackgroundSnapshotScheduler;
  /** What the command service reads snapshots from and sends requests to. */
  forCommands: CommandSnapshots;
  /** What the snapshotSweep function's sweep writes with. */
  writer: SnapshotWriter;
}

/**
 * Wires the snapshot parts over the snapshots table; calls no AWS API. On Lambda the scheduler's
 * work runs after the response only while the container is thawed (see BackgroundSnapshotScheduler):
 * a request lost with a recycled container is covered by the next trigger or the sweep.
 */
export function awsSnapshots(deps: AwsSnapshotDependencies): AwsSnapshots {
  const store = new DynamoDbSnapshotStore({ client: deps.clients.dynamo, tableName: deps.config.names.snapshotsTable });
  const logger = deps.logger.child({ component: 'snapshots' });
  const writer = new SnapshotWriter({ eventStore: deps.eventStore, codec: deps.codec, upcasters: deps.upcasters, snapshots: store, aggregates: deps.aggregates, logger });
  const scheduler = new BackgroundSnapshotScheduler(writer, { logger });
  return { store, scheduler, forCommands: { store, scheduler }, writer };
}
