import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { messagingResources } from '../../adapters/aws/messagingResources';
import { MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import type { ReceivedMessage } from '../../core/messaging/QueueMessage';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { ORDER_NOTICES_QUEUE, topics as shippedTopics } from '../../pipelines/routing';
import { eventMessage } from '../contract/messageQueueContract';
import { motoEndpoint } from '../engines/awsTestClients';
import { INTERNAL_ERROR, startSnsFaultProxy } from '../engines/snsFaultProxy';
import type { PublishBatchEntry, SnsFaultProxy } from '../engines/snsFaultProxy';
import { snsSqsMessaging } from '../engines/snsSqsMessaging';
import type { SnsSqsMessaging } from '../engines/snsSqsMessaging';

const TOPOLOGY: TopicDeclaration[] = [
  { name: 'orders', subscriptions: [{ queue: 'audit', visibilityTimeoutMs: 1000 }, { queue: 'firehose', visibilityTimeoutMs: 1000, ordering: 'none' }] },
];

const eventIdOf = (entry: PublishBatchEntry): string => entry.attributes.eventId ?? '?';
const ids = (messages: readonly ReceivedMessage[]): string[] => messages.map((message) => message.attributes.eventId ?? '?');

describe('SnsTopicPublisher on moto', () => {
  let messaging: SnsSqsMessaging | undefined;
  let proxy: SnsFaultProxy | undefined;

  afterEach(async () => {
    await messaging?.close();
    await proxy?.close();
    messaging = undefined;
    proxy = undefined;
  });

  it('retries a failed PublishBatch entry by itself, holds back its key meanwhile, and every message reaches the queue once, in order per key', async () => {
    // given SNS failing order-2's first message once
    let failures = 1;
    proxy = await startSnsFaultProxy(motoEndpoint(), (entry) => (eventIdOf(entry) === 'order-2-v1' && failures-- > 0 ? INTERNAL_ERROR : undefined));
    messaging = await snsSqsMessaging(TOPOLOGY, { publisherEndpoint: proxy.endpoint, publisher: { retry: { initialBackoffMs: 1, maxBackoffMs: 2 } } });
    // when a batch of two keys is published
    await messaging.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-2', 1), eventMessage('order-2', 2), eventMessage('order-1', 2)]);
    // then no call carried two messages of one key, order-2's second went out only after its first, which was sent again alone (with order-1's next)
    expect(proxy.calls.map((call) => call.map(eventIdOf))).toEqual([['order-1-v1', 'order-2-v1'], ['order-1-v2', 'order-2-v1'], ['order-2-v2']]);
    // and each entry of a FIFO topic carried its key as message group
    expect(proxy.calls.flat().every((entry) => entry.groupId === entry.attributes.aggregateId)).toBe(true);
    // and the per-key queue holds every message once, in publish order per key
    const received = await messaging.queue('audit').receive(10);
    expect(ids(received.filter((message) => message.groupKey === 'order-1'))).toEqual(['order-1-v1', 'order-1-v2']);
    expect(ids(received.filter((message) => message.groupKey === 'order-2'))).toEqual(['order-2-v1', 'order-2-v2']);
    expect(received).toHaveLength(4);
  });

  it('gives up on an entry that keeps failing with TOPIC_PUBLISH_FAILED, having published nothing of its key after it', async () => {
    // given SNS failing every attempt at order-2's first message
    proxy = await startSnsFaultProxy(motoEndpoint(), (entry) => (eventIdOf(entry) === 'order-2-v1' ? INTERNAL_ERROR : undefined));
    messaging = await snsSqsMessaging(TOPOLOGY, { publisherEndpoint: proxy.endpoint, publisher: { retry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 } } });
    // when a batch is published
    const publishing = messaging.topics.publish('orders', [eventMessage('order-2', 1), eventMessage('order-2', 2), eventMessage('order-1', 1)]);
    // then it fails after 3 attempts at that entry, counting what was left unpublished
    await expect(publishing).rejects.toMatchObject({ code: 'TOPIC_PUBLISH_FAILED', details: { unpublished: 2 } });
    expect(proxy.calls.flat().filter((entry) => eventIdOf(entry) === 'order-2-v1')).toHaveLength(3);
    // and order-2's second message was never sent; the other key's was
    expect(proxy.calls.flat().map(eventIdOf)).not.toContain('order-2-v2');
    expect(ids(await messaging.queue('audit').receive(10))).toEqual(['order-1-v1']);
  });

  it('does not retry an entry SNS refuses as the sender fault', async () => {
    // given SNS refusing order-1's message as malformed
    proxy = await startSnsFaultProxy(motoEndpoint(), () => ({ code: 'InvalidParameter', senderFault: true }));
    messaging = await snsSqsMessaging(TOPOLOGY, { publisherEndpoint: proxy.endpoint });
    // when it is published
    const publishing = messaging.topics.publish('orders', [eventMessage('order-1', 1)]);
    // then the publish fails at once, after one call
    await expect(publishing).rejects.toMatchObject({ code: 'TOPIC_PUBLISH_FAILED' });
    expect(proxy.calls).toHaveLength(1);
  });

  it('adds the group key as the aggregateId attribute when a message lacks it, so a standard queue keys it alike', async () => {
    // given a message without an aggregateId attribute
    messaging = await snsSqsMessaging(TOPOLOGY);
    const { aggregateId: _dropped, ...attributes } = eventMessage('order-1', 1).attributes;
    // when it is published
    await messaging.topics.publish('orders', [{ ...eventMessage('order-1', 1), attributes }]);
    // then the standard queue, which has no message groups, keys it by the group key
    const [received] = await messaging.queue('firehose').receive(10);
    expect(received?.groupKey).toBe('order-1');
    expect(received?.attributes).toEqual({ ...attributes, aggregateId: 'order-1' });
  });

  it('refuses an aggregateId attribute other than the group key, naming the field, and publishes none of the batch', async () => {
    // given a batch whose second message's attribute says another aggregate than its key
    messaging = await snsSqsMessaging(TOPOLOGY);
    const wrong = { ...eventMessage('order-2', 1), attributes: { ...eventMessage('order-2', 1).attributes, aggregateId: 'order-3' } };
    // when it is published
    const publishing = messaging.topics.publish('orders', [eventMessage('order-1', 1), wrong]);
    // then
    await expect(publishing).rejects.toMatchObject({ code: MESSAGING_ERRORS.INVALID_MESSAGE, details: { field: 'messages[1].attributes.aggregateId' } });
    expect(await messaging.queue('audit').depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });
});

describe('messagingResources created on moto', () => {
  let messaging: SnsSqsMessaging | undefined;

  afterEach(async () => {
    await messaging?.close();
    messaging = undefined;
  });

  it('gives the shipped order-notices subscriber a FIFO queue with visibility 30 s, a DLQ after 5 receives, a policy for its topic and a raw, filtered subscription', async () => {
    // given the topics the pipelines declare
    messaging = await snsSqsMessaging(shippedTopics);
    const declared = messaging.resources.queue(ORDER_NOTICES_QUEUE);
    const urls = messaging.urls[ORDER_NOTICES_QUEUE];
    // when moto is asked what it created
    const { Attributes: queue } = await messaging.sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls?.queueUrl, AttributeNames: ['All'] }));
    const topicArn = messaging.resources.topicArns['order-events'] as string;
    const { Subscriptions } = await messaging.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const { Attributes: subscription } = await messaging.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: Subscriptions?.[0]?.SubscriptionArn }));
    // then
    expect(topicArn).toMatch(/order-events\.fifo$/);
    expect(queue).toMatchObject({ FifoQueue: 'true', VisibilityTimeout: '30', QueueArn: declared.queue.queueArn });
    expect(JSON.parse(queue?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: declared.deadLetterQueue.queueArn, maxReceiveCount: 5 });
    expect(JSON.parse(queue?.Policy ?? '{}')).toMatchObject({
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: declared.queue.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }],
    });
    expect(Subscriptions).toHaveLength(1);
    expect(subscription).toMatchObject({ Protocol: 'sqs', Endpoint: declared.queue.queueArn, RawMessageDelivery: 'true' });
    expect(JSON.parse(subscription?.FilterPolicy ?? '{}')).toEqual({ eventType: ['OrderConfirmed', 'OrderCancelled'] });
  });

  it('delivers the published text as the SQS body with the envelope attributes, as raw delivery promises', async () => {
    // given
    messaging = await snsSqsMessaging(TOPOLOGY);
    const placed = eventMessage('order-1', 1);
    // when
    await messaging.topics.publish('orders', [placed]);
    // then the body is the record's base64 text and the attributes are String message attributes, no SNS JSON around them
    const { Messages } = await messaging.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: messaging.urls.audit?.queueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'] }),
    );
    const [message] = Messages ?? [];
    expect(message?.Body).toBe(placed.body.toString('base64'));
    expect(message?.Attributes).toEqual({ MessageGroupId: 'order-1', MessageDeduplicationId: 'order-1-v1' });
    expect(message?.MessageAttributes?.eventType).toEqual({ DataType: 'String', StringValue: 'OrderPlaced' });
  });

  it('declares a standard topic when no subscriber keeps order per key, and a FIFO one with FIFO queues otherwise', () => {
    // given a topic of unordered subscribers and one with a per-key subscriber
    const naming = { prefix: 'nexus-test-', region: 'eu-west-1', accountId: '111122223333' };
    // when their resources are declared
    const resources = messagingResources(
      [
        { name: 'audit-events', subscriptions: [{ queue: 'archive', ordering: 'none' }] },
        { name: 'order-events', subscriptions: [{ queue: 'notices' }, { queue: 'metrics', ordering: 'none' }] },
      ],
      naming,
    );
    // then
    expect(resources.topicArns).toEqual({ 'audit-events': 'arn:aws:sns:eu-west-1:111122223333:nexus-test-audit-events', 'order-events': 'arn:aws:sns:eu-west-1:111122223333:nexus-test-order-events.fifo' });
    expect(resources.queue('archive').queue.queueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/111122223333/nexus-test-archive');
    expect(resources.queue('notices').deadLetterQueue.queueName).toBe('nexus-test-notices-dlq.fifo');
    expect(resources.queue('metrics').queue.attributes.FifoQueue).toBeUndefined();
  });

  it('refuses a queue name longer than SQS takes, naming the queue', () => {
    // given a prefix that makes a dead-letter queue name longer than 80 characters
    const naming = { prefix: 'x'.repeat(70), region: 'eu-west-1', accountId: '111122223333' };
    // when the resources are declared
    const declaring = () => messagingResources([{ name: 'orders', subscriptions: [{ queue: 'notices' }] }], naming);
    // then
    expect(declaring).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.INVALID_DECLARATION, details: expect.objectContaining({ field: 'queue' }) }));
  });
});
