import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the snapshot table. */
export const SNAPSHOT_ATTRIBUTES = {
  aggregateId: 'aggregateId',
  aggregateType: 'aggregateType',
  /** The aggregate version the state was folded up to (N). */
  version: 'version',
  /** The fold version of the code that made it (S). */
  foldVersion: 'foldVersion',
  /** The state as JSON text (S). */
  state: 'state',
  /** The latest occurredAt folded (S, ISO-8601). */
  lastEventAt: 'lastEventAt',
  /** S, ISO-8601. */
  createdAt: 'createdAt',
  /** DynamoDB TTL (epoch seconds): a snapshot is a cache of the events, so it may expire. */
  ttl: 'expiresAt',
} as const;

/**
 * The aggregate snapshot table: one item per aggregate (hash `aggregateId`) holding its latest
 * snapshot. No index. DynamoDB TTL on `expiresAt` drops snapshots of aggregates nobody loads;
 * losing one costs a longer replay, never data (the events table is the truth).
 */
export const SNAPSHOTS_TABLE = {
  AttributeDefinitions: [{ AttributeName: SNAPSHOT_ATTRIBUTES.aggregateId, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: SNAPSHOT_ATTRIBUTES.aggregateId, KeyType: 'HASH' }],
  TimeToLiveSpecification: { AttributeName: SNAPSHOT_ATTRIBUTES.ttl, Enabled: true },
} as const satisfies DynamoDbTableDefinition;
