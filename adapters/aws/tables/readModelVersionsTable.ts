import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the read-model versions table. */
export const READ_MODEL_VERSION_ATTRIBUTES = {
  pipeline: 'pipeline',
  /** The version readers see (the one the collections' aliases point at). */
  version: 'version',
  /** The version an unfinished rebuild is filling; absent when none is. */
  rebuildVersion: 'rebuildVersion',
  rebuildStartedAt: 'rebuildStartedAt',
} as const;

/**
 * The read-model versions table: one item per rebuilt pipeline (hash `pipeline`), written only
 * by `nexus projections rebuild` (operator credentials), read by `nexus projections status`. No
 * index, no TTL, no stream: a pipeline that was never rebuilt has no item (version 1).
 */
export const READ_MODEL_VERSIONS_TABLE = {
  AttributeDefinitions: [{ AttributeName: READ_MODEL_VERSION_ATTRIBUTES.pipeline, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: READ_MODEL_VERSION_ATTRIBUTES.pipeline, KeyType: 'HASH' }],
} as const satisfies DynamoDbTableDefinition;
