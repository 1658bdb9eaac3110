import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the dead-letter table. */
export const DEAD_LETTER_ATTRIBUTES = {
  pk: 'pk',
  sk: 'sk',
  id: 'id',
  pipelineName: 'pipelineName',
  key: 'recordKey',
  sourcePosition: 'sourcePosition',
  errorCode: 'errorCode',
  errorMessage: 'errorMessage',
  attempts: 'attempts',
  parkedBehindId: 'parkedBehindId',
  parkedAt: 'parkedAt',
  status: 'status',
  resolvedAt: 'resolvedAt',
  /** How many items hold the record's bytes (part 0 included). */
  parts: 'parts',
  /** This item's slice of the original record (Binary). */
  bytes: 'bytes',
  /** The counter item's last id handed out. */
  lastId: 'lastId',
} as const;

/** GSI: a pipeline's entries in id order (`list({ pipelineName })`). */
export const DEAD_LETTERS_BY_PIPELINE = 'ByPipeline';
/** GSI: the entries of one status in id order (`list()` across pipelines). */
export const DEAD_LETTERS_BY_STATUS = 'ByStatus';

/**
 * The dead-letter table: hash `pk` (S), range `sk` (N), three kinds of item.
 *
 * | item | pk | sk | holds |
 * |---|---|---|---|
 * | entry, part 0 | `entry#<id>` | 0 | every field, the first slice of the record's bytes |
 * | entry, part n | `entry#<id>` | n | the next slice of the bytes (records over one item's 400 KB) |
 * | parked marker | `parked#["<pipeline>","<key>"]` | id | nothing: exists while the entry is parked |
 * | id counter | `counter` | 0 | `lastId` |
 *
 * `get` is a Query on `entry#<id>` (all parts, strongly consistent); "is this key parked" and
 * "its oldest parked entry" are a Query on the marker partition with `Limit: 1`, strongly
 * consistent, so park-behind never misses a record parked a moment before. Part 0 alone carries
 * `pipelineName`, `status` and `id`, so only it appears in the two sparse GSIs that serve `list`:
 * {@link DEAD_LETTERS_BY_PIPELINE} (pipelineName, id) and {@link DEAD_LETTERS_BY_STATUS}
 * (status, id), both projecting every attribute. No TTL: an entry stays until an operator
 * resolves it, and resolved entries are history.
 */
export const DEAD_LETTER_TABLE = {
  AttributeDefinitions: [
    { AttributeName: DEAD_LETTER_ATTRIBUTES.pk, AttributeType: 'S' },
    { AttributeName: DEAD_LETTER_ATTRIBUTES.sk, AttributeType: 'N' },
    { AttributeName: DEAD_LETTER_ATTRIBUTES.id, AttributeType: 'N' },
    { AttributeName: DEAD_LETTER_ATTRIBUTES.pipelineName, AttributeType: 'S' },
    { AttributeName: DEAD_LETTER_ATTRIBUTES.status, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: DEAD_LETTER_ATTRIBUTES.pk, KeyType: 'HASH' },
    { AttributeName: DEAD_LETTER_ATTRIBUTES.sk, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: DEAD_LETTERS_BY_PIPELINE,
      KeySchema: [
        { AttributeName: DEAD_LETTER_ATTRIBUTES.pipelineName, KeyType: 'HASH' },
        { AttributeName: DEAD_LETTER_ATTRIBUTES.id, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: DEAD_LETTERS_BY_STATUS,
      KeySchema: [
        { AttributeName: DEAD_LETTER_ATTRIBUTES.status, KeyType: 'HASH' },
        { AttributeName: DEAD_LETTER_ATTRIBUTES.id, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
} as const satisfies DynamoDbTableDefinition;
