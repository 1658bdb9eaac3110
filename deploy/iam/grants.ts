/**
 * The IAM statements a function may need, one function per thing it touches, each with exactly
 * the actions its adapter calls (named beside each) on that resource's ARNs only.
 * TransactWriteItems has no action of its own: DynamoDB authorizes each item's Put, Update,
 * Delete or ConditionCheck.
 */
import { SUBSCRIBERS_BY_TOPIC } from '../../adapters/aws/tables/connectionsTable';
import { DEAD_LETTERS_BY_PIPELINE, DEAD_LETTERS_BY_STATUS } from '../../adapters/aws/tables/deadLetterTable';
import { TIMESTAMP_INDEX } from '../../adapters/aws/tables/eventsTable';
import { SAGA_DEADLINES_BY_DUE_AT } from '../../adapters/aws/tables/sagaDeadlinesTable';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import { arnPrefix, getAtt, ref, sub } from '../cloudFormation';
import type { CfnValue } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { failureQueueLogicalId } from '../resources/messaging';
import { SEARCH_HTTP_ACTIONS, searchDomainIndicesArn } from '../resources/searchDomain';
import { CORE_STREAM_LOGICAL_ID, streamConsumerLogicalId } from '../resources/stream';
import { TABLE_LOGICAL_IDS as TABLES } from '../resources/tables';
import { webSocketConnectionsArn } from '../resources/webSocketApi';

/** One Allow statement. */
export type Statement = {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
};

function allow(sid: string, actions: readonly string[], resources: CfnValue[]): Statement {
  return { Sid: sid, Effect: 'Allow', Action: [...actions].sort(), Resource: resources };
}

const tableArn = (logicalId: string): CfnValue => getAtt(logicalId, 'Arn');
const indexArn = (logicalId: string, index: string): CfnValue => sub(`\${${logicalId}.Arn}/index/${index}`);

/** Its own log group only (the framework creates it, so no CreateLogGroup). */
export function logsGrant(fn: DeployedFunction): Statement {
  return allow('OwnLogGroup', ['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(fn.logGroupLogicalId, 'Arn')]);
}

/** X-Ray segments of the active tracing; X-Ray has no resource-level permissions, hence `*`. */
export function tracingGrant(): Statement {
  return allow('Tracing', ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']);
}

/** DynamoDbEventStore: Query (stream, ConsistentRead) and GetItem, TransactWriteItems of conditional Puts and ConditionChecks; time ranges Query the TimestampIndex. Never Update or Delete. */
export function eventStoreGrants(): Statement[] {
  return [
    allow('EventsAppendAndRead', ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], [tableArn(TABLES.events)]),
    allow('EventsTimeRange', ['dynamodb:Query'], [indexArn(TABLES.events, TIMESTAMP_INDEX)]),
  ];
}

/** Event reads only, as the snapshot sweep makes them: `readStream` (Query on the table) and `readByTimeRange` (Query on the TimestampIndex). */
export function eventReadGrants(): Statement[] {
  return [allow('EventsRead', ['dynamodb:Query'], [tableArn(TABLES.events)]), allow('EventsTimeRange', ['dynamodb:Query'], [indexArn(TABLES.events, TIMESTAMP_INDEX)])];
}

/** DynamoDbSnapshotStore: `latest` (GetItem) and `put` (a conditional PutItem). Never Update or Delete: the table's TTL deletes. */
export function snapshotsGrant(): Statement {
  return allow('Snapshots', ['dynamodb:GetItem', 'dynamodb:PutItem'], [tableArn(TABLES.snapshots)]);
}

/** DynamoDbSagaDeadlineStore: PutItem (schedule), DeleteItem on condition (clear), Query of the ByDueAt index (due). */
export function sagaDeadlinesGrants(): Statement[] {
  return [
    allow('SagaDeadlines', ['dynamodb:DeleteItem', 'dynamodb:PutItem'], [tableArn(TABLES.sagaDeadlines)]),
    allow('SagaDeadlinesDue', ['dynamodb:Query'], [indexArn(TABLES.sagaDeadlines, SAGA_DEADLINES_BY_DUE_AT)]),
  ];
}

/** DynamoDbIdempotencyStore: GetItem (claim), PutItem (claim), UpdateItem (complete, also inside the append's transaction), DeleteItem (release). */
export function idempotencyGrant(): Statement {
  return allow('IdempotencyKeys', ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [tableArn(TABLES.idempotency)]);
}

/** DynamoDbRateLimitStore: one conditional UpdateItem per hit. */
export function rateLimitGrant(): Statement {
  return allow('RateLimits', ['dynamodb:UpdateItem'], [tableArn(TABLES.rateLimits)]);
}

/**
 * DynamoDbDeadLetterStore as a pipeline uses it: `isKeyParked`/`oldestParked` and `get` (Query on
 * the table), `list` by pipeline and key (Query on ByPipeline), `park` (UpdateItem on the id
 * counter, then a TransactWriteItems of Puts).
 */
export function parkingGrants(): Statement[] {
  return [
    allow('DeadLettersPark', ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [tableArn(TABLES.deadLetters)]),
    allow('DeadLettersByPipeline', ['dynamodb:Query'], [indexArn(TABLES.deadLetters, DEAD_LETTERS_BY_PIPELINE)]),
  ];
}

/** DynamoDbDeadLetterStore as the redrive uses it: `get`/`list` (Query, GetItem), `resolve` (a transaction Updating the entry and Deleting its parked marker), `recordFailure` (UpdateItem). */
export function redriveDeadLetterGrants(): Statement[] {
  return [
    allow('DeadLettersResolve', ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [tableArn(TABLES.deadLetters)]),
    allow('DeadLettersList', ['dynamodb:Query'], [indexArn(TABLES.deadLetters, DEAD_LETTERS_BY_PIPELINE), indexArn(TABLES.deadLetters, DEAD_LETTERS_BY_STATUS)]),
  ];
}

/** DynamoDbDeadLetterStore `list` only (the gauge counts parked entries): Query on the indexes, and on the table for entries stored in parts. */
export function deadLetterReadGrants(): Statement[] {
  return [
    allow('DeadLettersRead', ['dynamodb:Query'], [tableArn(TABLES.deadLetters), indexArn(TABLES.deadLetters, DEAD_LETTERS_BY_PIPELINE), indexArn(TABLES.deadLetters, DEAD_LETTERS_BY_STATUS)]),
  ];
}

function glueArns(stage: string): CfnValue[] {
  const registry = awsResourceNames(stage).glueRegistry;
  return [sub(`${arnPrefix('glue')}registry/${registry}`), sub(`${arnPrefix('glue')}schema/${registry}/*`)];
}

/**
 * GlueSchemaRegistry as the codec uses it: GetSchemaVersion (by version id, by number, latest).
 * On `*`: a look-up by SchemaVersionId names no registry, and Glue authorises it against no
 * resource, so a grant on the registry's ARNs is refused (awslabs/aws-glue-schema-registry#68).
 * It reads schema definitions only.
 */
export function schemaReadGrant(_stage: string): Statement {
  return allow('SchemaRead', ['glue:GetSchemaVersion'], ['*']);
}

/** GlueSchemaRegistry `register` and `setCompatibility` through syncSchemas (lookup first), in the registry of the stage only. */
export function schemaRegistrationGrant(stage: string): Statement {
  return allow(
    'SchemaRegistration',
    ['glue:CreateSchema', 'glue:GetRegistry', 'glue:GetSchema', 'glue:GetSchemaByDefinition', 'glue:GetSchemaVersion', 'glue:RegisterSchemaVersion', 'glue:UpdateSchema'],
    glueArns(stage),
  );
}

/** OpenSearchReadModelStore over HTTP (signed, service `es`): the domain's indices only. */
export function readModelsGrant(stage: string): Statement {
  return allow('ReadModels', SEARCH_HTTP_ACTIONS, [searchDomainIndicesArn(stage)]);
}

/** KinesisStreamPublisher: PutRecords (and PutRecord, its single-record form). */
export function publisherGrant(): Statement {
  return allow('CoreStreamPublish', ['kinesis:PutRecord', 'kinesis:PutRecords'], [getAtt(CORE_STREAM_LOGICAL_ID, 'Arn')]);
}

/** SnsTopicPublisher: PublishBatch, authorized as sns:Publish. The topics' AWS managed key needs no grant. */
export function topicsGrant(topicLogicalIds: readonly string[]): Statement {
  return allow('TopicsPublish', ['sns:Publish'], topicLogicalIds.map((id) => ref(id)));
}

/** Lambda's DynamoDB Streams poller, on the events table's streams (as DynamoDB's own example policy). */
export function eventsStreamGrant(): Statement {
  return allow('EventsStreamRead', ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], [sub('${EventsTable.Arn}/stream/*')]);
}

/** Lambda's Kinesis poller on the core stream; with enhanced fan-out, its own consumer. */
export function coreStreamReadGrants(fn: DeployedFunction, enhancedFanOut: boolean): Statement[] {
  const grants = [
    allow(
      'CoreStreamRead',
      ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      [getAtt(CORE_STREAM_LOGICAL_ID, 'Arn')],
    ),
    // ListStreams names streams only and takes no resource.
    allow('StreamsList', ['kinesis:ListStreams'], ['*']),
  ];
  if (enhancedFanOut) grants.push(allow('CoreStreamConsumer', ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'], [getAtt(streamConsumerLogicalId(fn), 'ConsumerARN')]));
  return grants;
}

/** Lambda's SQS poller on one subscriber queue. */
export function queueReadGrant(queueLogicalId: string): Statement {
  return allow('QueueRead', ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], [getAtt(queueLogicalId, 'Arn')]);
}

/** Lambda's on-failure destination: the metadata of a discarded batch to the function's own queue. */
export function failureQueueGrant(fn: DeployedFunction): Statement {
  return allow('FailureQueueSend', ['sqs:SendMessage'], [getAtt(failureQueueLogicalId(fn), 'Arn')]);
}

/**
 * SqsSubscriberQueue's dead-letter side as `nexus dlq queue` uses it: GetQueueUrl of both queues,
 * peek and move (ReceiveMessage, ChangeMessageVisibility, DeleteMessage) on the dead-letter
 * queues, SendMessage (SendMessageBatch) and depth (GetQueueAttributes) on the subscriber queues.
 */
export function queueRedriveGrants(queueLogicalIds: readonly string[], deadLetterQueueLogicalIds: readonly string[]): Statement[] {
  return [
    allow('DeadLetterQueuesDrain', ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], deadLetterQueueLogicalIds.map((id) => getAtt(id, 'Arn'))),
    allow('SubscriberQueuesRefill', ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], queueLogicalIds.map((id) => getAtt(id, 'Arn'))),
  ];
}

/**
 * The WebSocket function's connections (DynamoDbConnectionStore): `connect` (PutItem), `connection`
 * and the send budget (GetItem, UpdateItem), `subscribe` (a transaction of a ConditionCheck and a
 * Put), `unsubscribe` (DeleteItem), `disconnect` (Query, BatchWriteItem of Deletes).
 */
export function webSocketConnectionsGrant(): Statement {
  return allow(
    'WebSocketConnections',
    ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    [tableArn(TABLES.connections)],
  );
}

/** DynamoDbNotificationLog `since` (Query): a resumed subscription's missed changes. */
export function notificationLogReadGrant(): Statement {
  return allow('NotificationLogRead', ['dynamodb:Query'], [tableArn(TABLES.notificationLog)]);
}

/** PostToConnection on this stage's WebSocket API only (WebSocketConnectionPoster). */
export function manageConnectionsGrant(stage: string): Statement {
  return allow('WebSocketPost', ['execute-api:ManageConnections'], [webSocketConnectionsArn(stage)]);
}

/**
 * The `notifications` port (WebSocketNotificationPublisher): the log's PutItem, the subscribers'
 * Query on the ByTopic index, the send budget (GetItem, UpdateItem) and the deletion of a gone
 * connection (Query, BatchWriteItem), and PostToConnection.
 */
export function notificationsGrants(stage: string): Statement[] {
  return [
    allow('NotificationLogAppend', ['dynamodb:PutItem'], [tableArn(TABLES.notificationLog)]),
    allow('NotificationSubscribers', ['dynamodb:Query'], [indexArn(TABLES.connections, SUBSCRIBERS_BY_TOPIC)]),
    allow('NotificationBudget', ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [tableArn(TABLES.connections)]),
    manageConnectionsGrant(stage),
  ];
}
