import { ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { SQS_KEY_ATTRIBUTE } from '../../core/pipeline/lambda/sqsRecords';
import { ORDER_LIST_COLLECTION } from '../../domain';
import orderList from '../../pipelines/order-list';
import { motoClientConfig, uniqueName } from '../engines/awsTestClients';
import { lambdaInvocation, sqsEvent } from '../engines/lambdaEvents';
import { Gate } from '../unit/pipeline/runnerHarness';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';
import type { OrderEvent } from './LambdaBatchRunnerHarness';

interface TestQueue {
  url: string;
  arn: string;
  fifo: boolean;
}

describe('LambdaBatchRunner on SQS batches read from moto', () => {
  const sqs = new SQSClient({ ...motoClientConfig(), maxAttempts: 1 });
  let harness: LambdaRunnerHarness;

  beforeEach(async () => {
    harness = await LambdaRunnerHarness.create();
  });
  afterEach(() => harness.close());
  afterAll(() => sqs.destroy());

  it('applies every message of a FIFO batch, in order per message group, and reports no failure', async () => {
    // given
    const queue = await createQueue(true);
    await send(queue, await harness.events('order-a', 'order-b', 'order-a', 'order-b', 'order-a'));
    const messages = await receive(queue, 5);
    const runner = harness.runner({}, orderList);
    // when
    const response = await runner.sqs(sqsEvent(queue.arn, messages), lambdaInvocation());
    // then
    expect(response).toEqual({ batchItemFailures: [] });
    const orders = harness.stores.readModels.collection(ORDER_LIST_COLLECTION);
    expect(await orders.get('order-a')).toMatchObject({ version: 3 });
    expect(await orders.get('order-b')).toMatchObject({ version: 2 });
    expect(runner.metrics()).toMatchObject({ recordsIn: 5, recordsOut: 5, recordsParked: 0 });
  });

  it('parks a poison message with its bytes and message id, parks later messages of its key behind it in this and the next invocation, and lets other keys finish', async () => {
    // given a standard queue whose messages carry the aggregate id as an attribute
    harness.seen.broken.add('poison');
    const queue = await createQueue(false);
    const events = await harness.events('poison', 'fine', 'poison');
    await send(queue, events);
    const runner = harness.runner();
    const first = await runner.sqs(sqsEvent(queue.arn, inSentOrder(await receive(queue, 3), events)), lambdaInvocation());
    harness.seen.broken.delete('poison');
    // when the next invocation brings another message of the parked key
    const later = await harness.events('poison', 'fine');
    await send(queue, later);
    const second = await runner.sqs(sqsEvent(queue.arn, inSentOrder(await receive(queue, 2), later)), lambdaInvocation());
    // then nothing is reported; the key stays parked, in order, and the other key finished
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const [blocking, ...behind] = await harness.parked();
    expect(blocking).toMatchObject({ key: 'poison', parkedBehindId: null, attempts: 5, record: events[0]?.record });
    expect(blocking?.errorMessage).toMatch(/\(sqs message [0-9a-f-]+\)$/);
    expect(behind.map((entry) => [entry.key, entry.parkedBehindId, entry.record])).toEqual([
      ['poison', blocking?.id, events[2]?.record],
      ['poison', blocking?.id, later[0]?.record],
    ]);
    expect(harness.applied()).toEqual({ fine: [1, 2] });
  });

  it('reports the message it could not park and every later message of its group, finishes the other groups, and finishes everything on redelivery', async () => {
    // given a FIFO queue and a dead-letter store that refuses parks
    harness.seen.broken.add('poison');
    const queue = await createQueue(true);
    const events = await harness.events('a', 'poison', 'a', 'poison', 'b');
    await send(queue, events);
    const messages = await receive(queue, 5);
    harness.refuseParks();
    const runner = harness.runner();
    // when
    const response = await runner.sqs(sqsEvent(queue.arn, messages), lambdaInvocation());
    // then both messages of the poison group are reported, in order; the other groups are applied
    expect(response.batchItemFailures).toEqual(messagesOf(messages, 'poison').map((message) => ({ itemIdentifier: message.MessageId })));
    expect(harness.applied()).toEqual({ a: [1, 2], b: [1] });
    expect(await harness.parked()).toEqual([]);
    // when Lambda deletes the finished messages, the reported ones become visible again, and the store is back
    await settle(queue, messages, response.batchItemFailures.map((failure) => failure.itemIdentifier));
    harness.acceptParks();
    const redelivered = await receive(queue, 2);
    const retry = await runner.sqs(sqsEvent(queue.arn, redelivered), lambdaInvocation());
    // then
    expect(retry.batchItemFailures).toEqual([]);
    expect((await harness.parked()).map((entry) => [entry.key, entry.record])).toEqual([
      ['poison', events[1]?.record],
      ['poison', events[3]?.record],
    ]);
  });

  it('reports the messages of a key whose retries the deadline cut short, and finishes the others', async () => {
    // given a key held failing, retries 30 s apart, and 1.5 s left of which 1 s is the safety margin
    harness.seen.gates.set('slow', new Gate());
    const queue = await createQueue(false);
    const events = await harness.events('slow', 'fast', 'slow');
    await send(queue, events);
    const messages = inSentOrder(await receive(queue, 3), events);
    const runner = harness.runner({ initialBackoffMs: 60_000, maxBackoffMs: 60_000, random: () => 0.5 });
    // when
    const response = await runner.sqs(sqsEvent(queue.arn, messages), lambdaInvocation(1500));
    // then
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }, { itemIdentifier: messages[2]?.MessageId }]);
    expect(harness.applied()).toEqual({ fast: [1] });
    expect(await harness.parked()).toEqual([]);
  });

  async function createQueue(fifo: boolean): Promise<TestQueue> {
    const name = uniqueName('lambda-runner') + (fifo ? '.fifo' : '');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }));
    const url = QueueUrl as string;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    return { url, arn: Attributes?.QueueArn as string, fifo };
  }

  /** The format the router will use: body = base64 of the envelope; FIFO group = aggregate id; else an `aggregateId` attribute. */
  async function send(queue: TestQueue, events: readonly OrderEvent[]): Promise<void> {
    for (const event of events) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: event.record.toString('base64'),
          ...(queue.fifo
            ? { MessageGroupId: event.key, MessageDeduplicationId: event.eventId }
            : { MessageAttributes: { [SQS_KEY_ATTRIBUTE]: { DataType: 'String', StringValue: event.key } } }),
        }),
      );
    }
  }

  async function receive(queue: TestQueue, count: number): Promise<Message[]> {
    const messages: Message[] = [];
    while (messages.length < count) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
      );
      messages.push(...(Messages ?? []));
    }
    return messages;
  }

  /** What Lambda does after a partial batch response: deletes the finished messages; the reported ones reappear (here at once). */
  async function settle(queue: TestQueue, messages: readonly Message[], reported: readonly string[]): Promise<void> {
    for (const message of messages) {
      const ReceiptHandle = message.ReceiptHandle as string;
      if (reported.includes(message.MessageId as string)) await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle, VisibilityTimeout: 0 }));
      else await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle }));
    }
  }
});

/** A standard queue may deliver in any order; the tests put the batch in the order sent. */
function inSentOrder(messages: readonly Message[], events: readonly OrderEvent[]): Message[] {
  const bodies = events.map((event) => event.record.toString('base64'));
  return [...messages].sort((a, b) => bodies.indexOf(a.Body as string) - bodies.indexOf(b.Body as string));
}

function messagesOf(messages: readonly Message[], group: string): Message[] {
  return messages.filter((message) => message.Attributes?.MessageGroupId === group);
}
