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
  /** The epoch second of the connection's current send window, and the frames sent in it (the per-connection budget). */
  budgetWindow: 'budgetWindow',
  budgetUsed: 'budgetUsed',
  /** A subscription's request as the client sent it (resource type, id), for the `subscribed` answer and unsubscribe. */
  resourceType: 'resourceType',
  documentId: 'documentId',
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
 * The topic a subscription is found under, and the topics a change is published to: one
 * document (`doc#orders#<id>`), every document of a type (`type#orders`), or the documents of a
 * type whose owner is a given principal (`own#orders#<ownerId>`, a type subscription under a grant
 * on own documents only). Resource types are kebab-case, so `#` cannot occur in them.
 */
export type SubscriptionTopic = { kind: 'document'; resourceType: string; id: string } | { kind: 'type'; resourceType: string } | { kind: 'owned'; resourceType: string; ownerId: string };

/** The string key of a {@link SubscriptionTopic}. */
export function subscriptionTopic(topic: SubscriptionTopic): string {
  switch (topic.kind) {
    case 'document':
      return `doc#${topic.resourceType}#${topic.id}`;
    case 'type':
      return `type#${topic.resourceType}`;
    case 'owned':
      return `own#${topic.resourceType}#${topic.ownerId}`;
  }
}

/** The topics a change of `resourceType`/`id` (owned by `owner`, when the read model declares one) reaches. */
export function topicsOfChange(resourceType: string, id: string, owner: string | undefined): string[] {
  const topics = [subscriptionTopic({ kind: 'document', resourceType, id }), subscriptionTopic({ kind: 'type', resourceType })];
  if (owner !== undefined) topics.push(subscriptionTopic({ kind: 'owned', resourceType, ownerId: owner }));
  return topics;
}

/**
 * The WebSocket connections table of the AWS backend. Per connection (hash `connectionId`):
 * one item `entry = connection` (its principal and its send budget) and one item per
 * subscription `entry = subscription#<subscriptionId>` holding its `topic`. The sparse GSI {@link SUBSCRIBERS_BY_TOPIC}
 * (hash `topic`, range `connectionId`, keys only: the entry names the subscription) answers the
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
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
  TimeToLiveSpecification: { AttributeName: CONNECTION_ATTRIBUTES.ttl, Enabled: true },
} as const satisfies DynamoDbTableDefinition;
