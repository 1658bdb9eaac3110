import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the idempotency table, shared by the store and the completion item. */
export const IDEMPOTENCY_ATTRIBUTES = {
  clientId: 'clientId',
  key: 'idempotencyKey',
  fingerprint: 'fingerprint',
  token: 'claimToken',
  /** End of an in-progress claim's lease, ms since the epoch. */
  lockedUntilMs: 'lockedUntilMs',
  /** When the key is forgotten, ms since the epoch: what reads and conditions compare. */
  expiresAtMs: 'expiresAtMs',
  /** The same instant in epoch seconds (rounded up), DynamoDB's TTL attribute: only the purge uses it. */
  ttl: 'expiresAt',
  responseStatus: 'responseStatus',
  responseType: 'responseType',
  responseBody: 'responseBody',
} as const;

/**
 * The idempotency-key table: one item per (client, key), hash `clientId`, range `idempotencyKey`,
 * so keys are scoped per client and every operation addresses one item. No index. DynamoDB TTL
 * on `expiresAt` purges expired keys; since that deletion is lazy, readers compare `expiresAtMs`
 * with their clock and treat an expired item as absent.
 */
export const IDEMPOTENCY_TABLE = {
  AttributeDefinitions: [
    { AttributeName: IDEMPOTENCY_ATTRIBUTES.clientId, AttributeType: 'S' },
    { AttributeName: IDEMPOTENCY_ATTRIBUTES.key, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: IDEMPOTENCY_ATTRIBUTES.clientId, KeyType: 'HASH' },
    { AttributeName: IDEMPOTENCY_ATTRIBUTES.key, KeyType: 'RANGE' },
  ],
  TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_ATTRIBUTES.ttl, Enabled: true },
} as const satisfies DynamoDbTableDefinition;
