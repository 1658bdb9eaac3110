import type { DynamoDbTableDefinition } from './tables/DynamoDbTableDefinition';

/** Attribute names of the shard-lease table. */
export const LEASE_ATTRIBUTES = {
  /** The consumer group: one pipeline on one stream. */
  group: 'leaseGroup',
  shardId: 'shardId',
  owner: 'leaseOwner',
  counter: 'leaseCounter',
  checkpoint: 'checkpoint',
  parents: 'parentShardIds',
} as const;

/**
 * Shard leases of every polling consumer: partition key = the consumer group, sort key = the
 * shard, so a worker lists its group's leases with one Query (never a Scan) and groups never
 * share an item. A group has as many items as its stream has shards (open and recently closed).
 */
export const LEASES_TABLE: DynamoDbTableDefinition = {
  AttributeDefinitions: [
    { AttributeName: LEASE_ATTRIBUTES.group, AttributeType: 'S' },
    { AttributeName: LEASE_ATTRIBUTES.shardId, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: LEASE_ATTRIBUTES.group, KeyType: 'HASH' },
    { AttributeName: LEASE_ATTRIBUTES.shardId, KeyType: 'RANGE' },
  ],
};
