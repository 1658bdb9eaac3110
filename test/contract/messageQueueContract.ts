import { MESSAGING_ERRORS } from '../../core/messaging/MessagingErrors';
import type { ReceivedMessage, TopicMessage } from '../../core/messaging/QueueMessage';
import type { SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import type { TopicDeclaration, TopicPublisher } from '../../core/messaging/Topic';

/** Topics and subscriber queues under test, and how time passes for them. */
export interface MessagingUnderTest {
  topics: TopicPublisher;
  /** The subscriber queue `name` of the topology the factory was given. */
  queue(name: string): SubscriberQueue;
  /** Lets `ms` pass for visibility timeouts: a clock advance embedded, a real wait against SQS. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Tunables of the suite: an adapter on real time (SQS) picks a short visibility timeout. */
export interface MessageQueueContractOptions {
  /** The visibility timeout of the suite's queues. @defaultValue 30000 */
  visibilityTimeoutMs?: number;
}

/** Queue names of {@link contractTopology}. */
export const CONTRACT_QUEUES = { audit: 'audit', confirmations: 'confirmations', firehose: 'firehose', otherAudit: 'other-audit' } as const;

/** The topology every adapter is built with: per-key, filtered and unordered subscribers, and a second topic. */
export function contractTopology(visibilityTimeoutMs: number): TopicDeclaration[] {
  return [
    {
      name: 'orders',
      subscriptions: [
        { queue: CONTRACT_QUEUES.audit, visibilityTimeoutMs },
        { queue: CONTRACT_QUEUES.confirmations, visibilityTimeoutMs, filter: { eventType: ['OrderConfirmed'] } },
        { queue: CONTRACT_QUEUES.firehose, visibilityTimeoutMs, ordering: 'none' },
      ],
    },
    { name: 'other', subscriptions: [{ queue: CONTRACT_QUEUES.otherAudit, visibilityTimeoutMs }] },
  ];
}

/** A message as the router publishes one: envelope-like bytes, the key, the event id, the envelope's attributes. */
export function eventMessage(key: string, version: number, eventType = 'OrderPlaced'): TopicMessage {
  const eventId = `${key}-v${version}`;
  // A Glue frame header (version 3, no compression, a version id) and some datum bytes: queues never decode it.
  const body = Buffer.concat([Buffer.from([3, 0]), Buffer.alloc(16, 7), Buffer.from(`${eventType}:${eventId}`)]);
  return { body, groupKey: key, deduplicationId: eventId, attributes: { eventId, eventType, aggregateId: key, aggregateType: 'Order' } };
}

/** The SubscriberQueue and TopicPublisher contract; every messaging adapter runs it. */
export function describeMessageQueueContract(
  name: string,
  factory: (topology: readonly TopicDeclaration[]) => Promise<MessagingUnderTest>,
  options: MessageQueueContractOptions = {},
): void {
  const visibilityMs = options.visibilityTimeoutMs ?? 30_000;

  describe(`Topic and SubscriberQueue contract: ${name}`, () => {
    let subject: MessagingUnderTest;
    let audit: SubscriberQueue;

    beforeEach(async () => {
      subject = await factory(contractTopology(visibilityMs));
      audit = subject.queue(CONTRACT_QUEUES.audit);
    });

    afterEach(async () => {
      await subject.close();
    });

    const ids = (messages: readonly ReceivedMessage[]): string[] => messages.map((message) => message.attributes.eventId ?? '?');

    describe('topic', () => {
      it('fans a published message out to the queue of every subscriber whose filter accepts it', async () => {
        // given an order event
        const placed = eventMessage('order-1', 1);
        // when it is published to the orders topic
        await subject.topics.publish('orders', [placed]);
        // then every unfiltered subscriber of that topic gets it, bytes, key and attributes intact
        for (const queue of [CONTRACT_QUEUES.audit, CONTRACT_QUEUES.firehose]) {
          const [received, ...more] = await subject.queue(queue).receive(10);
          expect(more).toEqual([]);
          expect(received?.body.equals(placed.body)).toBe(true);
          expect(received?.groupKey).toBe('order-1');
          expect(received?.attributes).toEqual(placed.attributes);
        }
        // and neither the filtered subscriber nor another topic's does
        expect(await subject.queue(CONTRACT_QUEUES.confirmations).receive(10)).toEqual([]);
        expect(await subject.queue(CONTRACT_QUEUES.otherAudit).receive(10)).toEqual([]);
      });

      it('delivers to a filtered subscriber only the messages its filter accepts', async () => {
        // given a subscriber that wants OrderConfirmed only
        const confirmations = subject.queue(CONTRACT_QUEUES.confirmations);
        // when a placed and a confirmed event are published
        await subject.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2, 'OrderConfirmed')]);
        // then it receives the confirmed one alone
        expect(ids(await confirmations.receive(10))).toEqual(['order-1-v2']);
      });

      it('refuses a batch holding an invalid message as a whole, naming the field, and delivers none of it', async () => {
        // given a batch whose second message has no group key
        const batch = [eventMessage('order-1', 1), { ...eventMessage('order-2', 1), groupKey: '' }];
        // when it is published
        const publishing = subject.topics.publish('orders', batch);
        // then it is refused with the offending field
        await expect(publishing).rejects.toMatchObject({ code: MESSAGING_ERRORS.INVALID_MESSAGE, details: { field: 'messages[1].groupKey' } });
        // and no queue got anything of it
        for (const queue of Object.values(CONTRACT_QUEUES)) expect(await subject.queue(queue).depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
      });

      it('refuses a publish to a topic that is not declared', async () => {
        // given a topology without a "payments" topic
        // when publishing to it
        const publishing = subject.topics.publish('payments', [eventMessage('order-1', 1)]);
        // then the topic is named unknown
        await expect(publishing).rejects.toMatchObject({ code: MESSAGING_ERRORS.UNKNOWN_TOPIC });
      });

      it('keeps the publish order of one key in a per-key queue', async () => {
        // given three events of one order published in one batch and one more after
        await subject.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2), eventMessage('order-1', 3)]);
        await subject.topics.publish('orders', [eventMessage('order-1', 4)]);
        // when the per-key queue is read
        const received = await audit.receive(10);
        // then they come in publish order
        expect(ids(received)).toEqual(['order-1-v1', 'order-1-v2', 'order-1-v3', 'order-1-v4']);
      });

      it('stores a republished deduplication id once in a per-key queue', async () => {
        // given an event published (the router may publish it again after a crash)
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        // when it is published again
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        // then the per-key queue holds it once
        expect(ids(await audit.receive(10))).toEqual(['order-1-v1']);
      });
    });

    describe('subscriber queue', () => {
      it('hides a received message for the visibility timeout, then delivers it again with its receive count raised', async () => {
        // given a received message that nobody acks
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        const [first] = await audit.receive(10);
        expect(first?.receiveCount).toBe(1);
        // when half the visibility timeout has passed, then it is still hidden
        await subject.elapse(visibilityMs / 2);
        expect(await audit.receive(10)).toEqual([]);
        expect(await audit.depth()).toMatchObject({ visible: 0, inFlight: 1 });
        // when the whole timeout has passed, then it is delivered again
        await subject.elapse(visibilityMs);
        const [again] = await audit.receive(10);
        expect(again?.messageId).toBe(first?.messageId);
        expect(again?.receiveCount).toBe(2);
      });

      it('deletes an acked message: it is never delivered again', async () => {
        // given a received message
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        const [received] = await audit.receive(10);
        // when it is acked
        await audit.ack([received?.receiptHandle ?? '']);
        // then it is gone, also after the visibility timeout
        await subject.elapse(visibilityMs * 1.5);
        expect(await audit.receive(10)).toEqual([]);
        expect(await audit.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
      });

      it('gives a message back at once when its visibility is changed to 0, and hides it longer when changed to more', async () => {
        // given a received message given back at once (a nack)
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        const [received] = await audit.receive(10);
        await audit.changeVisibility([received?.receiptHandle ?? ''], 0);
        // when receiving again, then it is there
        const [again] = await audit.receive(10);
        expect(again?.messageId).toBe(received?.messageId);
        // when it is hidden for twice the timeout (a backoff), then it stays hidden past the timeout
        await audit.changeVisibility([again?.receiptHandle ?? ''], visibilityMs * 2);
        await subject.elapse(visibilityMs * 1.5);
        expect(await audit.receive(10)).toEqual([]);
      });

      it('counts every receive of a message', async () => {
        // given a message received and given back twice
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        const counts: number[] = [];
        for (let receive = 0; receive < 3; receive += 1) {
          const [received] = await audit.receive(10);
          counts.push(received?.receiveCount ?? 0);
          await audit.changeVisibility([received?.receiptHandle ?? ''], 0);
        }
        // then each receive raised its count
        expect(counts).toEqual([1, 2, 3]);
      });

      it('moves a message to the dead-letter queue on the receive after its fifth, instead of delivering it', async () => {
        // given a message received and given back five times (the default maxReceiveCount)
        const poison = eventMessage('order-1', 1);
        await subject.topics.publish('orders', [poison]);
        await receiveAndGiveBack(audit, 5);
        // when it is received a sixth time
        const sixth = await audit.receive(10);
        // then nothing is delivered and the dead-letter queue holds it, bytes intact
        expect(sixth).toEqual([]);
        expect(await audit.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 1 });
        const [dead] = await audit.deadLetters(10);
        expect(dead?.body.equals(poison.body)).toBe(true);
        expect(dead?.receiveCount).toBe(5);
        expect(dead?.attributes).toEqual(poison.attributes);
      });

      it('redrives dead letters back to the queue with their receive count reset', async () => {
        // given a dead-lettered message
        await subject.topics.publish('orders', [eventMessage('order-1', 1)]);
        await receiveAndGiveBack(audit, 5);
        expect(await audit.receive(10)).toEqual([]);
        // when the dead-letter queue is redriven
        const moved = await audit.redrive();
        // then the message is delivered again as if new
        expect(moved).toBe(1);
        const [received] = await audit.receive(10);
        expect(received?.attributes.eventId).toBe('order-1-v1');
        expect(received?.receiveCount).toBe(1);
        expect(await audit.deadLetters(10)).toEqual([]);
      });

      it('holds the later messages of a key while one of its messages is in flight, and lets other keys go on', async () => {
        // given two messages of order-1 and one of order-2 in a per-key queue
        await subject.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2), eventMessage('order-2', 1)]);
        const [head] = await audit.receive(1);
        expect(head?.attributes.eventId).toBe('order-1-v1');
        // when receiving while order-1's first message is in flight
        const meanwhile = await audit.receive(10);
        // then only order-2's comes
        expect(ids(meanwhile)).toEqual(['order-2-v1']);
        // and once the first is acked, order-1's second follows
        await audit.ack([head?.receiptHandle ?? '']);
        expect(ids(await audit.receive(10))).toEqual(['order-1-v2']);
      });

      it('redelivers the messages of a key given back together in publish order', async () => {
        // given two messages of one key received together and given back together
        await subject.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2)]);
        const first = await audit.receive(10);
        await audit.changeVisibility(first.map((message) => message.receiptHandle), 0);
        // when received again
        const again = await audit.receive(10);
        // then they come back in publish order
        expect(ids(again)).toEqual(['order-1-v1', 'order-1-v2']);
      });

      it('receives at most the number of messages asked for', async () => {
        // given three messages of three keys
        await subject.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-2', 1), eventMessage('order-3', 1)]);
        // when asking for two
        const received = await audit.receive(2);
        // then two come, and the third stays visible
        expect(received).toHaveLength(2);
        expect(await audit.depth()).toEqual({ visible: 1, inFlight: 2, deadLettered: 0 });
      });
    });
  });
}

/** Receives the queue's one message `times` times, giving it back at once after each receive. */
async function receiveAndGiveBack(queue: SubscriberQueue, times: number): Promise<void> {
  for (let receive = 0; receive < times; receive += 1) {
    const received = await queue.receive(10);
    await queue.changeVisibility(received.map((message) => message.receiptHandle), 0);
  }
}
