import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the events table, shared by the store, the stream readers and serverless.yml. */
export const EVENT_ATTRIBUTES = {
  aggregateId: 'aggregateId',
  /** The aggregate version, a number: the table's range key. */
  version: 'version',
  eventId: 'eventId',
  eventType: 'eventType',
  occurredAt: 'occurredAt',
  /** The Glue-framed `nexus.EventEnvelope` record, byte for byte what the SQLite store keeps. */
  record: 'record',
  /** TimestampIndex hash key: `<UTC day of occurredAt>#<shard>`, e.g. `2030-01-01#7`. */
  timeBucket: 'timeBucket',
  /** TimestampIndex range key: `<occurredAt>#<aggregateId>#<version, 10 digits>`. */
  timeKey: 'timeKey',
} as const;

/** The GSI that serves time-range reads. */
export const TIMESTAMP_INDEX = 'TimestampIndex';

/**
 * How many shards each day of the TimestampIndex is spread over, by default. Each shard is its
 * own index partition (about 1,000 writes/s each on DynamoDB), so 16 carry 16,000 events/s; a
 * time-range read queries every shard of a day and merges them. Raising it later is safe (old
 * events sit in the lower shards, which readers still query); lowering it hides events.
 */
export const DEFAULT_TIME_INDEX_SHARDS = 16;

/**
 * The events table: one item per event, hash `aggregateId`, range `version` (a number), so an
 * aggregate's stream is one Query in version order and `attribute_not_exists` on a new
 * version is the optimistic-concurrency check. The TimestampIndex GSI (all attributes
 * projected, so a time-range page needs no second read) is keyed by a day bucket sharded by a
 * hash of the aggregate id, and sorted by time then aggregate and version: a time range is a
 * handful of key-range Queries (never a Scan), and today's writes spread over the shards
 * instead of one hot partition. Streams carry NEW_IMAGE: the router reads `record` from it.
 * Items are never updated or deleted (no TTL, no update path in the store).
 */
export const EVENTS_TABLE = {
  AttributeDefinitions: [
    { AttributeName: EVENT_ATTRIBUTES.aggregateId, AttributeType: 'S' },
    { AttributeName: EVENT_ATTRIBUTES.version, AttributeType: 'N' },
    { AttributeName: EVENT_ATTRIBUTES.timeBucket, AttributeType: 'S' },
    { AttributeName: EVENT_ATTRIBUTES.timeKey, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: EVENT_ATTRIBUTES.aggregateId, KeyType: 'HASH' },
    { AttributeName: EVENT_ATTRIBUTES.version, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: TIMESTAMP_INDEX,
      KeySchema: [
        { AttributeName: EVENT_ATTRIBUTES.timeBucket, KeyType: 'HASH' },
        { AttributeName: EVENT_ATTRIBUTES.timeKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
} as const satisfies DynamoDbTableDefinition;
