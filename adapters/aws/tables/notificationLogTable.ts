import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the notification log table. */
export const NOTIFICATION_LOG_ATTRIBUTES = {
  /** `<resourceType>#<shard>`: a resource type's changes spread over a few partitions (see {@link NOTIFICATION_LOG_TABLE}). */
  partition: 'logPartition',
  /** The change's position: the publish time in microseconds (ms x 1000 plus a random tie-breaker), unique in its partition. */
  position: 'position',
  /** The change (JSON of a DocumentChanged). */
  change: 'change',
  /** DynamoDB TTL (epoch seconds): the log keeps changes for the retention of the publisher's options. */
  ttl: 'expiresAt',
} as const;

/**
 * The notification log of the AWS backend: every published change, kept for a while so that a
 * client resuming a resource-type subscription (`after`) receives what it missed. Hash
 * `logPartition` = `<resourceType>#<shard>` (the shard a hash of the document id, so one
 * document's changes stay in one partition and a busy type is not one hot partition), range
 * `position` (N, time-ordered). A resume reads every shard of the type from its position on.
 * DynamoDB TTL on `expiresAt` prunes it.
 */
export const NOTIFICATION_LOG_TABLE = {
  AttributeDefinitions: [
    { AttributeName: NOTIFICATION_LOG_ATTRIBUTES.partition, AttributeType: 'S' },
    { AttributeName: NOTIFICATION_LOG_ATTRIBUTES.position, AttributeType: 'N' },
  ],
  KeySchema: [
    { AttributeName: NOTIFICATION_LOG_ATTRIBUTES.partition, KeyType: 'HASH' },
    { AttributeName: NOTIFICATION_LOG_ATTRIBUTES.position, KeyType: 'RANGE' },
  ],
  TimeToLiveSpecification: { AttributeName: NOTIFICATION_LOG_ATTRIBUTES.ttl, Enabled: true },
} as const satisfies DynamoDbTableDefinition;
