import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSubscriberQueue } from '../../adapters/embedded/SqliteSubscriberQueue';
import { SqliteTopicPublisher } from '../../adapters/embedded/SqliteTopicPublisher';
import { QUEUE_DEFAULTS } from '../../core/messaging/SubscriberQueue';
import { subscriptionOf } from '../../core/messaging/Topic';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { CONTRACT_QUEUES, contractTopology, describeMessageQueueContract, eventMessage } from './messageQueueContract';

/** Topics and queues on one connection, with a clock the test moves. */
function embeddedMessaging(db: Database.Database, topology: readonly TopicDeclaration[], start = 1_700_000_000_000) {
  let now = start;
  const clock = (): number => now;
  const queues = new Map<string, SqliteSubscriberQueue>();
  return {
    topics: new SqliteTopicPublisher(db, topology, { clock }),
    queue: (name: string): SqliteSubscriberQueue => {
      let queue = queues.get(name);
      if (!queue) {
        queue = new SqliteSubscriberQueue(db, name, subscriptionOf(topology, name), { clock });
        queues.set(name, queue);
      }
      return queue;
    },
    elapse: async (ms: number): Promise<void> => {
      now += ms;
    },
  };
}

describeMessageQueueContract('SqliteTopicPublisher + SqliteSubscriberQueue', async (topology) => {
  const db = new Database(':memory:');
  return { ...embeddedMessaging(db, topology), close: async () => void db.close() };
});

describe('SqliteSubscriberQueue', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nexus-queue-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the AWS path: visibility 30 s, dead-letter after 5 receives, order per key', () => {
    // given a queue declared without settings
    const db = new Database(':memory:');
    // when it is opened
    const queue = new SqliteSubscriberQueue(db, 'notices');
    // then it has the documented defaults
    expect(queue.settings).toEqual({ visibilityTimeoutMs: 30_000, maxReceiveCount: 5, ordering: 'per-key' });
    expect(QUEUE_DEFAULTS).toEqual(queue.settings);
    db.close();
  });

  it('ignores an ack carrying the receipt of an earlier receive of a message received again since', async () => {
    // given a message received, not acked in time, and received again
    const db = new Database(':memory:');
    const messaging = embeddedMessaging(db, contractTopology(30_000));
    const audit = messaging.queue(CONTRACT_QUEUES.audit);
    await messaging.topics.publish('orders', [eventMessage('order-1', 1)]);
    const [stale] = await audit.receive(10);
    await messaging.elapse(30_000);
    const [current] = await audit.receive(10);
    // when the first consumer acks late
    await audit.ack([stale?.receiptHandle ?? '']);
    // then the message stays in flight with its current receipt, which still acks it
    expect(await audit.depth()).toEqual({ visible: 0, inFlight: 1, deadLettered: 0 });
    await audit.ack([current?.receiptHandle ?? '']);
    expect(await audit.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    db.close();
  });

  it('keeps messages, receive counts and dead letters in the database file across a reopen', async () => {
    // given a message received twice and one dead-lettered, in a file
    const file = join(dir, 'pipelines.db');
    const topology = contractTopology(30_000);
    const before = new Database(file);
    const first = embeddedMessaging(before, topology);
    await first.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-2', 1)]);
    for (let receive = 0; receive < 5; receive += 1) {
      const received = await first.queue(CONTRACT_QUEUES.audit).receive(1);
      await first.queue(CONTRACT_QUEUES.audit).changeVisibility(received.map((message) => message.receiptHandle), 0);
    }
    before.close();
    // when the file is opened again (a restart)
    const after = new Database(file);
    const audit = embeddedMessaging(after, topology).queue(CONTRACT_QUEUES.audit);
    const received = await audit.receive(10);
    // then the counted message went to the dead-letter queue and the other is still there
    expect(received.map((message) => [message.attributes.eventId, message.receiveCount])).toEqual([['order-2-v1', 1]]);
    expect((await audit.deadLetters(10)).map((message) => message.attributes.eventId)).toEqual(['order-1-v1']);
    after.close();
  });

  it('publishes a batch that fails in the engine midway to no queue at all', async () => {
    // given an engine that refuses the second message of a batch (a trigger stands in for a disk fault)
    const db = new Database(':memory:');
    const messaging = embeddedMessaging(db, contractTopology(30_000));
    db.exec(`CREATE TRIGGER refuse_second BEFORE INSERT ON queue_messages WHEN NEW.dedup_id = 'order-2-v1'
             BEGIN SELECT RAISE(ABORT, 'simulated disk fault'); END`);
    // when a batch of two is published
    const publishing = messaging.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-2', 1)]);
    // then it fails with the adapter's database error, and the first message reached no queue either
    await expect(publishing).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    for (const queue of Object.values(CONTRACT_QUEUES)) expect(await messaging.queue(queue).depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    db.close();
  });

  it('moves a message to the dead-letter queue in the transaction of the receive: a receive that fails moves nothing', async () => {
    // given a message received its 5 times and a fresh one behind it, on an engine that fails the next receive
    const db = new Database(':memory:');
    const messaging = embeddedMessaging(db, contractTopology(30_000));
    const audit = messaging.queue(CONTRACT_QUEUES.audit);
    await messaging.topics.publish('orders', [eventMessage('order-1', 1)]);
    for (let receive = 0; receive < 5; receive += 1) {
      const received = await audit.receive(10);
      await audit.changeVisibility(received.map((message) => message.receiptHandle), 0);
    }
    await messaging.topics.publish('orders', [eventMessage('order-2', 1)]);
    db.exec(`CREATE TRIGGER refuse_receive BEFORE UPDATE OF receive_count ON queue_messages
             BEGIN SELECT RAISE(ABORT, 'simulated disk fault'); END`);
    // when the receive that would dead-letter the first message fails
    await expect(audit.receive(10)).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    // then the first message is still live, not dead-lettered
    expect(await audit.depth()).toEqual({ visible: 2, inFlight: 0, deadLettered: 0 });
    // and the next receive that succeeds moves it and delivers the other
    db.exec('DROP TRIGGER refuse_receive');
    expect((await audit.receive(10)).map((message) => message.attributes.eventId)).toEqual(['order-2-v1']);
    expect(await audit.depth()).toEqual({ visible: 0, inFlight: 1, deadLettered: 1 });
    db.close();
  });

  it('wakes the queue consumers of this process when a topic publishes to their queue, and only those', async () => {
    // given listeners on two queues of one connection
    const db = new Database(':memory:');
    const messaging = embeddedMessaging(db, contractTopology(30_000));
    const woken: string[] = [];
    messaging.queue(CONTRACT_QUEUES.confirmations).onMessage(() => woken.push('confirmations'));
    messaging.queue(CONTRACT_QUEUES.audit).onMessage(() => woken.push('audit'));
    // when a message only the audit queue accepts is published
    await messaging.topics.publish('orders', [eventMessage('order-1', 1)]);
    // then only the audit queue's consumer is woken
    expect(woken).toEqual(['audit']);
    db.close();
  });

  it('delivers an unordered queue without holding a key behind its message in flight', async () => {
    // given two messages of one key in a queue declared without order
    const db = new Database(':memory:');
    const messaging = embeddedMessaging(db, contractTopology(30_000));
    const firehose = messaging.queue(CONTRACT_QUEUES.firehose);
    await messaging.topics.publish('orders', [eventMessage('order-1', 1), eventMessage('order-1', 2)]);
    await firehose.receive(1);
    // when receiving while the first is in flight
    const meanwhile = await firehose.receive(10);
    // then the second comes anyway, as from a standard SQS queue
    expect(meanwhile.map((message) => message.attributes.eventId)).toEqual(['order-1-v2']);
    db.close();
  });
});
