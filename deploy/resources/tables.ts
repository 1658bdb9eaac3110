/**
 * The DynamoDB tables of a stage, as AWS::DynamoDB::Table resources converted from the same
 * definitions the adapters and the tests' create-table helper use (adapters/aws/tables/*): key
 * schemas, indexes, streams and TTL are never restated here. Every table is on-demand and
 * encrypted with the AWS managed key; the events table is also kept (point-in-time recovery,
 * deletion protection, retained on stack deletion or replacement).
 */
import { LEASES_TABLE } from '../../adapters/aws/leasesTable';
import { CHECKPOINT_TABLE } from '../../adapters/aws/tables/checkpointTable';
import { CONNECTIONS_TABLE } from '../../adapters/aws/tables/connectionsTable';
import { DEAD_LETTER_TABLE } from '../../adapters/aws/tables/deadLetterTable';
import type { DynamoDbTableDefinition } from '../../adapters/aws/tables/DynamoDbTableDefinition';
import { EVENTS_TABLE } from '../../adapters/aws/tables/eventsTable';
import { IDEMPOTENCY_TABLE } from '../../adapters/aws/tables/idempotencyTable';
import { NOTIFICATION_LOG_TABLE } from '../../adapters/aws/tables/notificationLogTable';
import { RATE_LIMIT_TABLE } from '../../adapters/aws/tables/rateLimitTable';
import { READ_MODEL_VERSIONS_TABLE } from '../../adapters/aws/tables/readModelVersionsTable';
import { SNAPSHOTS_TABLE } from '../../adapters/aws/tables/snapshotsTable';
import { SAGA_DEADLINES_TABLE } from '../../adapters/aws/tables/sagaDeadlinesTable';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import type { CfnResource, CfnResources, CfnValue } from '../cloudFormation';

/** One table of the stack. */
export interface StackTable {
  logicalId: string;
  tableName: string;
  definition: DynamoDbTableDefinition;
  /** The table holds the system of record: point-in-time recovery, deletion protection, retained. */
  keep: boolean;
  /** Point-in-time recovery (35 days of restores). */
  pointInTimeRecovery: boolean;
}

/** The logical id of each table of the stack. */
export const TABLE_LOGICAL_IDS = {
  events: 'EventsTable',
  idempotency: 'IdempotencyTable',
  rateLimits: 'RateLimitsTable',
  checkpoints: 'CheckpointsTable',
  deadLetters: 'DeadLettersTable',
  leases: 'LeasesTable',
  snapshots: 'SnapshotsTable',
  readModelVersions: 'ReadModelVersionsTable',
  connections: 'ConnectionsTable',
  notificationLog: 'NotificationLogTable',
  sagaDeadlines: 'SagaDeadlinesTable',
} as const;

/** Every table of a stage, by logical id. */
export function stackTables(stage: string): StackTable[] {
  const names = awsResourceNames(stage);
  const table = (logicalId: string, tableName: string, definition: DynamoDbTableDefinition, keep = false, pointInTimeRecovery = keep): StackTable => ({
    logicalId,
    tableName,
    definition,
    keep,
    pointInTimeRecovery,
  });
  const ids = TABLE_LOGICAL_IDS;
  return [
    table(ids.events, names.eventsTable, EVENTS_TABLE, true),
    table(ids.idempotency, names.idempotencyTable, IDEMPOTENCY_TABLE),
    table(ids.rateLimits, names.rateLimitsTable, RATE_LIMIT_TABLE),
    table(ids.checkpoints, names.checkpointsTable, CHECKPOINT_TABLE),
    // Parked records are the only copy of what a pipeline could not apply: restorable, not retained.
    table(ids.deadLetters, names.deadLettersTable, DEAD_LETTER_TABLE, false, true),
    table(ids.leases, names.leasesTable, LEASES_TABLE),
    table(ids.snapshots, names.snapshotsTable, SNAPSHOTS_TABLE),
    // Written by `nexus projections rebuild` with the operator's credentials; no function reads it.
    table(ids.readModelVersions, names.readModelVersionsTable, READ_MODEL_VERSIONS_TABLE),
    // Live notifications: connections live at most 2 hours, the log a day; both expire by TTL.
    table(ids.connections, names.connectionsTable, CONNECTIONS_TABLE),
    table(ids.notificationLog, names.notificationLogTable, NOTIFICATION_LOG_TABLE),
    // Sagas' in-flight deadlines: reminders, rebuilt from the sagas' streams as they run.
    table(ids.sagaDeadlines, names.sagaDeadlinesTable, SAGA_DEADLINES_TABLE),
  ];
}

/** The AWS::DynamoDB::Table resources of a stage. */
export function tableResources(stage: string): CfnResources {
  return Object.fromEntries(stackTables(stage).map((table) => [table.logicalId, tableResource(table)]));
}

/** One table definition as an AWS::DynamoDB::Table. */
export function tableResource(table: StackTable): CfnResource {
  const { definition } = table;
  const properties: Record<string, CfnValue> = {
    TableName: table.tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: plain(definition.AttributeDefinitions),
    KeySchema: plain(definition.KeySchema),
    // The AWS managed key (aws/dynamodb): no key to administer, and the roles need no KMS grant.
    SSESpecification: { SSEEnabled: true },
  };
  if (definition.GlobalSecondaryIndexes) properties['GlobalSecondaryIndexes'] = plain(definition.GlobalSecondaryIndexes);
  // CloudFormation's StreamSpecification has the view type only: a stream exists when it is given.
  if (definition.StreamSpecification?.StreamViewType) properties['StreamSpecification'] = { StreamViewType: definition.StreamSpecification.StreamViewType };
  if (definition.TimeToLiveSpecification) properties['TimeToLiveSpecification'] = plain(definition.TimeToLiveSpecification);
  if (table.pointInTimeRecovery) properties['PointInTimeRecoverySpecification'] = { PointInTimeRecoveryEnabled: true };
  if (table.keep) properties['DeletionProtectionEnabled'] = true;
  return {
    Type: 'AWS::DynamoDB::Table',
    ...(table.keep ? { DeletionPolicy: 'Retain' as const, UpdateReplacePolicy: 'Retain' as const } : {}),
    Properties: properties,
  };
}

/** A readonly definition as a mutable JSON value (a copy: the constants stay untouched). */
function plain(value: unknown): CfnValue {
  return JSON.parse(JSON.stringify(value)) as CfnValue;
}
