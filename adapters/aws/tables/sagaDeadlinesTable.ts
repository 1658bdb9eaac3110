import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the saga deadlines table. */
export const SAGA_DEADLINE_ATTRIBUTES = {
  sagaId: 'sagaId',
  sagaType: 'sagaType',
  step: 'step',
  /** ISO-8601 UTC; sorts as time. */
  dueAt: 'dueAt',
  /** The same value on every item, so that one GSI partition holds every deadline in due order. */
  pending: 'pending',
} as const;

/** The one value of {@link SAGA_DEADLINE_ATTRIBUTES}.pending. */
export const SAGA_DEADLINE_PENDING = 'due';

/** GSI: every deadline in due order (`due(now, limit)` is one Query). */
export const SAGA_DEADLINES_BY_DUE_AT = 'ByDueAt';

/**
 * The saga deadlines table: one item per saga with a step in flight (hash `sagaId`), and a GSI
 * over a constant partition sorted by `dueAt` for the timer's sweep. A single GSI partition is
 * enough: items exist only while a step is in flight, and the scheduled sweep reads a page a
 * minute. No TTL: a deadline is removed when its step settles or its sweep finds it stale.
 */
export const SAGA_DEADLINES_TABLE = {
  AttributeDefinitions: [
    { AttributeName: SAGA_DEADLINE_ATTRIBUTES.sagaId, AttributeType: 'S' },
    { AttributeName: SAGA_DEADLINE_ATTRIBUTES.pending, AttributeType: 'S' },
    { AttributeName: SAGA_DEADLINE_ATTRIBUTES.dueAt, AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: SAGA_DEADLINE_ATTRIBUTES.sagaId, KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: SAGA_DEADLINES_BY_DUE_AT,
      KeySchema: [
        { AttributeName: SAGA_DEADLINE_ATTRIBUTES.pending, KeyType: 'HASH' },
        { AttributeName: SAGA_DEADLINE_ATTRIBUTES.dueAt, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
} as const satisfies DynamoDbTableDefinition;
