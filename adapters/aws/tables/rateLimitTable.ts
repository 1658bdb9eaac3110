import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the rate-limit table. */
export const RATE_LIMIT_ATTRIBUTES = {
  key: 'rateKey',
  /** Start of the key's current fixed window, ms since the epoch. */
  windowStartMs: 'windowStartMs',
  count: 'hits',
  /** DynamoDB TTL (epoch seconds): an hour after the window ends, when the item is of no more use. */
  ttl: 'expiresAt',
} as const;

/**
 * The rate-limit table: one item per key (hash `rateKey`) holding its current window and count,
 * as the SQLite store's row does. No index. DynamoDB TTL on `expiresAt` removes the items of
 * keys that stopped calling; a late deletion costs nothing, because a hit in a newer window
 * restarts the count whatever the stored window.
 */
export const RATE_LIMIT_TABLE = {
  AttributeDefinitions: [{ AttributeName: RATE_LIMIT_ATTRIBUTES.key, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: RATE_LIMIT_ATTRIBUTES.key, KeyType: 'HASH' }],
  TimeToLiveSpecification: { AttributeName: RATE_LIMIT_ATTRIBUTES.ttl, Enabled: true },
} as const satisfies DynamoDbTableDefinition;
