import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SqsSubscriberQueue } from '../../adapters/aws/SqsSubscriberQueue';
import { MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { eventMessage } from '../contract/messageQueueContract';
import { snsSqsMessaging } from '../engines/snsSqsMessaging';
import type { SnsSqsMessaging } from '../engines/snsSqsMessaging';

const TOPOLOGY: TopicDeclaration[] = [
  { name: 'orders', subscriptions: [{ queue: 'audit', visibilityTimeoutMs: 1000 }, { queue: 'firehose', visibilityTimeoutMs: 1000, ordering: 'none' }] },
];

describe('SqsSubscriberQueue on moto', () => {
  let messaging: SnsSqsMessaging;

  beforeEach(async () => {
    messaging = await snsSqsMessaging(TOPOLOGY);
  });

  afterEach(() => messaging.close());

  it('lets SQS itself move a message to the dead-letter queue after 5 receives, whoever receives it (the queue RedrivePolicy)', async () => {
    // given a message received 5 times by a plain SQS consumer, not through the adapter
    await messaging.topics.publish('orders', [eventMessage('order-1', 1)]);
    const receiveRaw = async () =>
      (await messaging.sqs.send(new ReceiveMessageCommand({ QueueUrl: messaging.urls.audit?.queueUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages ?? [];
    const counts: string[] = [];
    for (let receive = 0; receive < 5; receive += 1) counts.push(...(await receiveRaw()).map((message) => message.Attributes?.ApproximateReceiveCount ?? '?'));
    expect(counts).toEqual(['1', '2', '3', '4', '5']);
    // when it is received a sixth time
    const sixth = await receiveRaw();
    // then SQS moved it instead of delivering it, and the adapter finds it in the dead-letter queue
    expect(sixth).toEqual([]);
    const audit = messaging.queue('audit');
    expect(await audit.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 1 });
    expect((await audit.deadLetters(10)).map((message) => [message.attributes.eventId, message.groupKey, message.receiveCount])).toEqual([['order-1-v1', 'order-1', 5]]);
  });

  it('peeks more dead letters than one receive returns, each once, oldest first, and leaves them all in the dead-letter queue', async () => {
    // given 12 dead-lettered messages of 12 orders
    const audit = messaging.queue('audit');
    await messaging.topics.publish('orders', Array.from({ length: 12 }, (_unused, index) => eventMessage(`order-${String(index).padStart(2, '0')}`, 1)));
    for (let round = 0; round < 5; round += 1) {
      const received = await audit.receive(20);
      expect(received).toHaveLength(12);
      await audit.changeVisibility(received.map((message) => message.receiptHandle), 0);
    }
    expect(await audit.receive(20)).toEqual([]);
    // when peeking at 20
    const dead = await audit.deadLetters(20);
    // then each of the 12 is seen once, and all stay dead-lettered and visible to the next peek
    expect(new Set(dead.map((message) => message.attributes.eventId)).size).toBe(12);
    expect(dead.map((message) => message.sentAtMs)).toEqual([...dead.map((message) => message.sentAtMs)].sort((a, b) => a - b));
    expect(await audit.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 12 });
    expect(await audit.deadLetters(20)).toHaveLength(12);
  });

  it('redrives at most the limit asked for, in publish order per key, as new messages', async () => {
    // given three dead-lettered messages of one order
    const audit = messaging.queue('audit');
    await messaging.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2), eventMessage('order-1', 3)]);
    for (let round = 0; round < 5; round += 1) {
      const received = await audit.receive(10);
      await audit.changeVisibility(received.map((message) => message.receiptHandle), 0);
    }
    expect(await audit.receive(10)).toEqual([]);
    // when two are redriven
    const moved = await audit.redrive({ limit: 2 });
    // then the two oldest are back, in order, counted from 1 again; the third waits in the dead-letter queue
    expect(moved).toBe(2);
    const back = await audit.receive(10);
    expect(back.map((message) => [message.attributes.eventId, message.receiveCount])).toEqual([
      ['order-1-v1', 1],
      ['order-1-v2', 1],
    ]);
    expect((await audit.deadLetters(10)).map((message) => message.attributes.eventId)).toEqual(['order-1-v3']);
  });

  it('rounds a visibility timeout up to whole seconds: a message hidden for 1 ms is not visible at once', async () => {
    // given a message
    const audit = messaging.queue('audit');
    await messaging.topics.publish('orders', [eventMessage('order-1', 1)]);
    // when it is received with a visibility of 1 ms (SQS counts seconds)
    expect(await audit.receive(10, { visibilityTimeoutMs: 1 })).toHaveLength(1);
    // then it is hidden for a second, not for none
    expect(await audit.depth()).toMatchObject({ visible: 0, inFlight: 1 });
  });

  it('delivers an unordered (standard) queue without holding a key behind its message in flight', async () => {
    // given two messages of one order in the standard queue
    const firehose = messaging.queue('firehose');
    await messaging.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2)]);
    const first = await firehose.receive(1);
    // when receiving while the first is in flight
    const meanwhile = await firehose.receive(10);
    // then the other comes anyway, keyed by its aggregateId attribute
    expect([...first, ...meanwhile].map((message) => message.groupKey)).toEqual(['order-1', 'order-1']);
    expect(meanwhile).toHaveLength(1);
  });

  it('refuses per-key ordering over a standard queue', () => {
    // given the URL of a standard queue
    const urls = messaging.urls.firehose;
    // when it is opened as a per-key queue
    const opening = () => new SqsSubscriberQueue({ client: messaging.sqs, name: 'firehose', queueUrl: urls?.queueUrl ?? '', deadLetterQueueUrl: urls?.deadLetterQueueUrl ?? '', settings: { ordering: 'per-key' } });
    // then
    expect(opening).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.INVALID_DECLARATION, details: expect.objectContaining({ field: 'ordering' }) }));
  });
});
