/**
 * The non-critical path's SNS topics and SQS queues, converted from the definition the adapters,
 * `npm run engines` and the tests already share (adapters/aws/messagingResources.ts): the same
 * physical names (the functions derive ARNs from them), FIFO-ness, visibility timeouts,
 * retention, redrive counts, queue policies and subscription filters. Every topic is encrypted
 * with the AWS managed key, every queue with SQS-managed keys. Also the on-failure queue of each
 * stream-sourced function that keeps one.
 */
import { messagingResources } from '../../adapters/aws/messagingResources';
import type { SqsQueueResource, SubscriberQueueResource } from '../../adapters/aws/messagingResources';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { getAtt, ref, sub } from '../cloudFormation';
import type { CfnResource, CfnResources, CfnValue } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { pascalCase } from '../names';

/** How long an on-failure queue keeps the metadata of a discarded batch: SQS's maximum. */
const FAILURE_RETENTION_SECONDS = 1_209_600;

/** `order-events` -> `OrderEventsTopic`. */
export function topicLogicalId(topicName: string): string {
  return `${pascalCase(topicName)}Topic`;
}

/** `order-notices` -> `OrderNoticesQueue`: the subscriber queue an SQS event source reads. */
export function queueLogicalId(queueName: string): string {
  return `${pascalCase(queueName)}Queue`;
}

/** `order-notices` -> `OrderNoticesDeadLetterQueue`. */
export function deadLetterQueueLogicalId(queueName: string): string {
  return `${pascalCase(queueName)}DeadLetterQueue`;
}

/** `orderListPipeline` -> `OrderListPipelineFailureQueue`. */
export function failureQueueLogicalId(fn: Pick<DeployedFunction, 'key'>): string {
  return `${pascalCase(fn.key)}FailureQueue`;
}

/** Does Lambda send the metadata of this function's discarded batches to a queue of its own? */
export function hasFailureQueue(fn: DeployedFunction): boolean {
  return fn.pipeline !== undefined && fn.pipeline.source.type !== 'queue' && fn.pipeline.lambda.onFailureQueue;
}

/** The declared topics and queues, named as the functions name them. */
export function stackMessaging(stage: string, topics: readonly TopicDeclaration[]): ReturnType<typeof messagingResources> {
  // Pseudo parameters in place of the account and region: every ARN comes out ready for Fn::Sub.
  return messagingResources(topics, { prefix: `nexus-${stage}-`, region: '${AWS::Region}', accountId: '${AWS::AccountId}', partition: '${AWS::Partition}' });
}

/** Topics, subscriber queues with their dead-letter queues, policies and subscriptions, and the functions' on-failure queues. */
export function messagingResourcesOf(stage: string, topics: readonly TopicDeclaration[], functions: readonly DeployedFunction[]): CfnResources {
  const resources: CfnResources = {};
  for (const topic of stackMessaging(stage, topics).topics) {
    const topicId = topicLogicalId(topic.name);
    resources[topicId] = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: topic.topicName,
        KmsMasterKeyId: 'alias/aws/sns',
        ...(topic.fifo ? { FifoTopic: true, ContentBasedDeduplication: topic.attributes['ContentBasedDeduplication'] === 'true' } : {}),
      },
    };
    for (const subscriber of topic.subscribers) Object.assign(resources, subscriberResources(subscriber, topicId));
  }
  for (const fn of functions.filter(hasFailureQueue)) {
    resources[failureQueueLogicalId(fn)] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `nexus-${stage}-${fn.key}-failures`, MessageRetentionPeriod: FAILURE_RETENTION_SECONDS, SqsManagedSseEnabled: true },
    };
  }
  return resources;
}

function subscriberResources(subscriber: SubscriberQueueResource, topicId: string): CfnResources {
  const queueId = queueLogicalId(subscriber.name);
  const deadLetterId = deadLetterQueueLogicalId(subscriber.name);
  const policyId = `${queueId}Policy`;
  const queueAttributes = { ...subscriber.queue.attributes };
  // The redrive target by GetAtt, so the dead-letter queue exists first; the dead-letter queue
  // names its source by ARN text instead (a GetAtt both ways would be a cycle).
  const redrive = JSON.parse(queueAttributes['RedrivePolicy'] ?? '{}') as { maxReceiveCount: number };
  delete queueAttributes['RedrivePolicy'];
  delete queueAttributes['Policy'];
  return {
    [deadLetterId]: queueResource(subscriber.deadLetterQueue, subscriber.deadLetterQueue.attributes),
    [queueId]: queueResource(subscriber.queue, queueAttributes, { RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetterId, 'Arn'), maxReceiveCount: redrive.maxReceiveCount } }),
    [policyId]: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref(queueId)],
        // The adapter's policy (only its topic may send), with the ARNs of this stack's resources.
        PolicyDocument: withArns(JSON.parse(subscriber.queue.attributes['Policy'] ?? '{}') as CfnValue, {
          [subscriber.queue.queueArn]: getAtt(queueId, 'Arn'),
          [subscriberTopicArn(subscriber)]: ref(topicId),
        }),
      },
    },
    [`${queueId}Subscription`]: {
      Type: 'AWS::SNS::Subscription',
      // Without the policy SNS cannot deliver, and drops what it could not.
      DependsOn: policyId,
      Properties: {
        TopicArn: ref(topicId),
        Protocol: 'sqs',
        Endpoint: getAtt(queueId, 'Arn'),
        RawMessageDelivery: subscriber.subscriptionAttributes['RawMessageDelivery'] === 'true',
        ...(subscriber.subscriptionAttributes['FilterPolicy'] === undefined
          ? {}
          : { FilterPolicy: JSON.parse(subscriber.subscriptionAttributes['FilterPolicy']) as CfnValue, FilterPolicyScope: subscriber.subscriptionAttributes['FilterPolicyScope'] ?? 'MessageAttributes' }),
      },
    },
  };
}

/** SQS attributes (strings, as CreateQueue takes them) as AWS::SQS::Queue properties. */
function queueResource(queue: SqsQueueResource, attributes: Readonly<Record<string, string>>, extra: Record<string, CfnValue> = {}): CfnResource {
  const properties: Record<string, CfnValue> = { QueueName: queue.queueName, SqsManagedSseEnabled: true };
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') properties[name] = value === 'true';
    else if (name === 'VisibilityTimeout' || name === 'MessageRetentionPeriod') properties[name] = Number(value);
    else if (name === 'RedriveAllowPolicy') properties[name] = withArns(JSON.parse(value) as CfnValue, {});
    else throw new TypeError(`queue attribute ${name} has no CloudFormation property here`);
  }
  return { Type: 'AWS::SQS::Queue', Properties: { ...properties, ...extra } };
}

function subscriberTopicArn(subscriber: SubscriberQueueResource): string {
  const policy = JSON.parse(subscriber.queue.attributes['Policy'] ?? '{}') as { Statement?: { Condition?: { ArnEquals?: Record<string, string> } }[] };
  return policy.Statement?.[0]?.Condition?.ArnEquals?.['aws:SourceArn'] ?? '';
}

/** Replaces the ARNs in `replacements` by their intrinsic functions, and any other pseudo-parameter text by Fn::Sub. */
function withArns(value: CfnValue, replacements: Record<string, CfnValue>): CfnValue {
  if (typeof value === 'string') return replacements[value] ?? (value.includes('${') ? sub(value) : value);
  if (Array.isArray(value)) return value.map((item) => withArns(item, replacements));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withArns(item, replacements)]));
  return value;
}

