import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the checkpoint table. */
export const CHECKPOINT_ATTRIBUTES = {
  pipelineName: 'pipelineName',
  position: 'position',
  updatedAt: 'updatedAt',
} as const;

/**
 * The checkpoint table: one item per pipeline (hash `pipelineName`) with its position. No index,
 * no TTL: a checkpoint lives as long as its pipeline. (The polling runners' per-shard leases
 * and checkpoints are a table of their own, in the KCL's shape.)
 */
export const CHECKPOINT_TABLE = {
  AttributeDefinitions: [{ AttributeName: CHECKPOINT_ATTRIBUTES.pipelineName, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: CHECKPOINT_ATTRIBUTES.pipelineName, KeyType: 'HASH' }],
} as const satisfies DynamoDbTableDefinition;
