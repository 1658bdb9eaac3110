import type { DynamoDbTableDefinition } from './DynamoDbTableDefinition';

/** Attribute names of the WebSocket connections table. */
export const CONNECTION_ATTRIBUTES = {
  /** The API Gateway connection id: every item of a connection shares it, so one Query finds them all. */
  connectionId: 'connectionId',
  /** `connection` for the connection itself, `subscription#<subscriptionId>` for each of its subscriptions (the id the client chose). */
  entry: 'entry',
  /** A subscription's topic (see {@link subscriptionTopic}); absent on the connection item, so the index holds subscriptions only. */
  topic: 'topic',
  /** The connection's principal (JSON: id, roles, clientId), as verified at `$connect`. */
  principal: 'principal',
  connectedAtMs: 'connectedAtMs',
  /** When the token the connection was admitted with expires (epoch ms): past it, nothing more is sent. */
  tokenExpiresAtMs: 'tokenExpiresAtMs',
  /** The epoch second of the connection's current send window, and the frames sent in it (the per-connection budget). */
  budgetWindow: 'budgetWindow',
  budgetUsed: 'budgetUsed',
  /** A subscription's resource type, document id (absent: the whole type) and, under a grant on own documents only, the subscriber's id. */
  resourceType: 'resourceType',
  documentId: 'documentId',
  ownerOnly: 'ownerOnly',
  /** DynamoDB TTL (epoch seconds): API Gateway closes a connection after 2 hours, so its items are of no use after that. */
  ttl: 'expiresAt',
} as const;

/** The sparse index of subscriptions by topic: hash `topic`, range `connectionId`. */
export const SUBSCRIBERS_BY_TOPIC = 'ByTopic';

/** The sort key of a connection's own item. */
export const CONNECTION_ENTRY = 'connection';

/** The sort key prefix of a subscription item. */
export const SUBSCRIPTION_ENTRY_PREFIX = 'subscription#';

/**
 * The topic a subscription is found under: one document (`doc#orders#<id>`), every document of a
 * type (`type#orders`), or, under a grant on own documents only, the type's documents owned by
 * the subscriber (`own#orders#<ownerId>`). Resource types are kebab-case, so `#` cannot occur in
 * them.
 */
export function subscriptionTopic(subscription: { resourceType: string; id?: string; ownerOnly?: string }): string {
  if (subscription.id !== undefined) return `doc#${subscription.resourceType}#${subscription.id}`;
  if (subscription.ownerOnly !== undefined) return `own#${subscription.resourceType}#${subscription.ownerOnly}`;
  return `type#${subscription.resourceType}`;
}

/** The topics a change of `resourceType`/`id` (owned by `owner`, when the read model declares one) reaches. */
export function topicsOfChange(resourceType: string, id: string, owner: string | undefined): string[] {
  const topics = [subscriptionTopic({ resourceType, id }), subscriptionTopic({ resourceType })];
  if (owner !== undefined) topics.push(subscriptionTopic({ resourceType, ownerOnly: owner }));
  return topics;
}

/**
 * The WebSocket connections table of the AWS backend. Per connection (hash `connectionId`):
 * one item `entry = connection` (its principal and its send budget) and one item per
 * subscription `entry = subscription#<subscriptionId>` holding its `topic`. The sparse GSI {@link SUBSCRIBERS_BY_TOPIC}
 * (hash `topic`, range `connectionId`, projecting the subscription's fields) answers the
 * publisher's question "who subscribed to this change?" with one Query per topic of the change (document, type, owned
 * type); `$disconnect` deletes a connection's items with one Query on the table. DynamoDB TTL on
 * `expiresAt` removes the items of connections whose `$disconnect` never ran (API Gateway does
 * not guarantee it).
 */
export const CONNECTIONS_TABLE = {
  AttributeDefinitions: [
    { AttributeName: CONNECTION_ATTRIBUTES.connectionId, AttributeType: 'S' },
    { AttributeName: CONNECTION_ATTRIBUTES.entry, AttributeType: 'S' },
    { AttributeName: CONNECTION_ATTRIBUTES.topic, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: CONNECTION_ATTRIBUTES.connectionId, KeyType: 'HASH' },
    { AttributeName: CONNECTION_ATTRIBUTES.entry, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: SUBSCRIBERS_BY_TOPIC,
      KeySchema: [
        { AttributeName: CONNECTION_ATTRIBUTES.topic, KeyType: 'HASH' },
        { AttributeName: CONNECTION_ATTRIBUTES.connectionId, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [CONNECTION_ATTRIBUTES.resourceType, CONNECTION_ATTRIBUTES.documentId, CONNECTION_ATTRIBUTES.ownerOnly] },
    },
  ],
  TimeToLiveSpecification: { AttributeName: CONNECTION_ATTRIBUTES.ttl, Enabled: true },
} as const satisfies DynamoDbTableDefinition;
