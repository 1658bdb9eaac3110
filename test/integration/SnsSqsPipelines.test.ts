import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { SqliteReadModelStore, SqliteStreamLog } from '../../adapters/embedded';
import { silentLogger } from '../../core/logging/Logger';
import { eventMessageAttributes } from '../../core/messaging/QueueMessage';
import type { TopicMessage } from '../../core/messaging/QueueMessage';
import { QueuePipelineRunner } from '../../core/messaging/QueuePipelineRunner';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import type { PipelineContext } from '../../core/pipeline/PipelineDefinition';
import { sqsRecords } from '../../core/pipeline/lambda/sqsRecords';
import type { EventCodec } from '../../core/schema/EventCodec';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { ORDER_LIST_COLLECTION, orderUpcasters } from '../../domain';
import { ORDER_EVENTS_TOPIC, ORDER_NOTICES_COLLECTION, ORDER_NOTICES_QUEUE, topics as shippedTopics } from '../../pipelines';
import type { OrderNotice } from '../../pipelines';
import orderList from '../../pipelines/order-list';
import orderNotices from '../../pipelines/order-notices';
import { lambdaInvocation, sqsEvent } from '../engines/lambdaEvents';
import { snsSqsMessaging } from '../engines/snsSqsMessaging';
import type { SnsSqsMessaging } from '../engines/snsSqsMessaging';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import type { SchemaEnvironment } from '../support/schemaEnvironment';
import { orderRecord } from '../unit/operators/pipelineFixtures';
import type { OrderEventFixture } from '../unit/operators/pipelineFixtures';
import { LambdaRunnerHarness } from './LambdaBatchRunnerHarness';

/** The message the router publishes for an event record: body, key, event id, envelope attributes. */
async function routedMessage(codec: EventCodec, record: Buffer, key: string): Promise<TopicMessage> {
  const envelope = await codec.decodeEnvelope(record);
  return { body: record, groupKey: key, deduplicationId: envelope.eventId, attributes: eventMessageAttributes(envelope) };
}

describe('the order-notices pipeline on SNS -> SQS (QueuePipelineRunner over SqsSubscriberQueue)', () => {
  let schemas: SchemaEnvironment;
  let messaging: SnsSqsMessaging;
  let db: Database.Database;
  let runner: QueuePipelineRunner | undefined;

  beforeAll(async () => {
    schemas = await createSchemaEnvironment();
  });

  beforeEach(async () => {
    messaging = await snsSqsMessaging(shippedTopics);
    db = new Database(':memory:');
  });

  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    db.close();
    await messaging.close();
  });

  afterAll(() => schemas.db.close());

  async function event(fixture: OrderEventFixture): Promise<TopicMessage> {
    const { record, key } = await orderRecord(schemas.codec, fixture);
    return routedMessage(schemas.codec, record, key);
  }

  it('writes the notices of confirmed and cancelled orders, never sees what the filter policy drops, and parks a poison message in the DLQ after 5 receives while the rest flows', async () => {
    // given the shipped topic with a placement (filtered out), a confirmation, a cancellation and an undecodable message
    const readModels = new SqliteReadModelStore(db);
    const poison: TopicMessage = { body: Buffer.from('not a Glue frame'), groupKey: 'order-c', deduplicationId: 'poison-1', attributes: { eventId: 'poison-1', eventType: 'OrderConfirmed', aggregateId: 'order-c' } };
    await messaging.topics.publish(ORDER_EVENTS_TOPIC, [
      await event({ aggregateId: 'order-a', aggregateVersion: 1, eventType: 'OrderPlaced' }),
      await event({ aggregateId: 'order-a', aggregateVersion: 2, eventType: 'OrderConfirmed' }),
      poison,
      await event({ aggregateId: 'order-b', aggregateVersion: 2, eventType: 'OrderCancelled' }),
    ]);
    const queue = messaging.queue(ORDER_NOTICES_QUEUE);
    const context: PipelineContext = {
      pipelineName: orderNotices.name,
      codec: schemas.codec,
      upcasters: new UpcasterRegistry(orderUpcasters),
      readModels,
      publisher: new SqliteStreamLog(db),
      topics: messaging.topics,
      logger: silentLogger,
    };
    // when the shipped pipeline runs over the SQS queue until it is empty
    runner = new QueuePipelineRunner(orderNotices, { queue, context }, { idlePollMs: 100, initialBackoffMs: 1, maxBackoffMs: 2 });
    await runner.start();
    await runner.whenCaughtUp(60_000);
    // then both notices are written
    const notices = readModels.collection<OrderNotice>(ORDER_NOTICES_COLLECTION);
    expect(await notices.get('order-a')).toMatchObject({ data: { orderId: 'order-a', kind: 'confirmed' } });
    expect(await notices.get('order-b')).toMatchObject({ data: { orderId: 'order-b', kind: 'cancelled' } });
    // and the placement never reached the queue, the poison message lies in the DLQ after its 5 receives, nothing else is left
    expect(runner.metrics()).toMatchObject({ recordsIn: 3, recordsParked: 1, retries: 4 });
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 1 });
    const [dead] = await queue.deadLetters(10);
    expect(dead).toMatchObject({ groupKey: 'order-c', receiveCount: 5, attributes: poison.attributes });
    expect(dead?.body.equals(poison.body)).toBe(true);
  });
});

describe('LambdaBatchRunner.sqs fed what SnsTopicPublisher published through SNS raw delivery', () => {
  const topology: TopicDeclaration[] = [{ name: 'orders', subscriptions: [{ queue: 'ordered' }, { queue: 'unordered', ordering: 'none' }] }];
  let harness: LambdaRunnerHarness;
  let messaging: SnsSqsMessaging;

  beforeEach(async () => {
    harness = await LambdaRunnerHarness.create();
    messaging = await snsSqsMessaging(topology);
  });

  afterEach(async () => {
    await harness.close();
    await messaging.close();
  });

  async function receiveAll(queue: string, count: number): Promise<Message[]> {
    const messages: Message[] = [];
    while (messages.length < count) {
      const command = new ReceiveMessageCommand({ QueueUrl: messaging.urls[queue]?.queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], WaitTimeSeconds: 1 });
      messages.push(...((await messaging.sqs.send(command)).Messages ?? []));
    }
    return messages;
  }

  it('reads the record bytes and the aggregate key from the SQS message of a FIFO and of a standard queue, and applies every event of the FIFO batch', async () => {
    // given three events of two orders published through SNS to both subscriber queues
    const events = await harness.events('order-a', 'order-b', 'order-a');
    await messaging.topics.publish('orders', await Promise.all(events.map((event) => routedMessage(harness.codec, event.record, event.key))));
    const ordered = sqsEvent(messaging.resources.queue('ordered').queue.queueArn, await receiveAll('ordered', 3));
    const unordered = sqsEvent(messaging.resources.queue('unordered').queue.queueArn, await receiveAll('unordered', 3));
    // when the Lambda runner reads them
    const expected = events.map((event) => [event.key, event.record.toString('hex')]);
    const read = (records: ReturnType<typeof sqsRecords>) => records.map((record) => [record.key, record.record.toString('hex')]);
    // then both queues give back the published bytes under the aggregate id (FIFO: the message group; standard: the aggregateId attribute)
    expect(read(sqsRecords(ordered))).toEqual(expected);
    expect(read(sqsRecords(unordered)).sort()).toEqual([...expected].sort());
    expect(unordered.Records.every((record) => record.attributes.MessageGroupId === undefined || record.attributes.MessageGroupId === record.messageAttributes.aggregateId?.stringValue)).toBe(true);
    // and the order-list pipeline applies the FIFO batch without a failure
    const runner = harness.runner({}, orderList);
    const response = await runner.sqs(ordered, lambdaInvocation());
    expect(response).toEqual({ batchItemFailures: [] });
    const orders = harness.stores.readModels.collection(ORDER_LIST_COLLECTION);
    expect(await orders.get('order-a')).toMatchObject({ version: 2 });
    expect(await orders.get('order-b')).toMatchObject({ version: 1 });
  });
});
