import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../../adapters/embedded/openSqliteDatabase';
import { SqliteSubscriberQueue } from '../../../adapters/embedded/SqliteSubscriberQueue';
import { SqliteTopicPublisher } from '../../../adapters/embedded/SqliteTopicPublisher';
import { subscriptionOf } from '../../../core/messaging/Topic';
import { ORDER_EVENTS_TOPIC, ORDER_NOTICES_QUEUE, topics } from '../../../pipelines/routing';
import { runCli } from './runCli';

jest.setTimeout(60_000);

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-cli-dlq-queue-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** A message the order-notices queue received maxReceiveCount times, then moved to its dead-letter queue. */
async function deadLetterOneNotice(): Promise<void> {
  const db = openSqliteDatabase(join(dataDir, 'pipelines.db'));
  await new SqliteTopicPublisher(db, topics).publish(ORDER_EVENTS_TOPIC, [
    { body: Buffer.from([3, 0, 1, 2]), groupKey: 'order-7', deduplicationId: 'event-7', attributes: { eventType: 'OrderConfirmed', aggregateId: 'order-7' } },
  ]);
  const queue = new SqliteSubscriberQueue(db, ORDER_NOTICES_QUEUE, subscriptionOf(topics, ORDER_NOTICES_QUEUE));
  for (let receive = 1; receive <= 5; receive += 1) {
    const received = await queue.receive(10);
    await queue.changeVisibility(received.map((message) => message.receiptHandle), 0);
  }
  expect(await queue.receive(10)).toEqual([]);
  db.close();
}

describe('npx nexus dlq queue', () => {
  it("lists a subscriber queue's dead-lettered message, redrives it, and the queue's dead-letter queue is empty after", async () => {
    // given
    await deadLetterOneNotice();
    // when
    const listed = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'queue', 'list', ORDER_NOTICES_QUEUE]);
    const redriven = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'queue', 'redrive', ORDER_NOTICES_QUEUE]);
    const after = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'queue', 'list', ORDER_NOTICES_QUEUE]);
    // then
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/order-7\s+OrderConfirmed\s+5\s+\d{4}-/);
    expect(redriven.stdout).toBe(`1 message(s) moved back to ${ORDER_NOTICES_QUEUE}\n`);
    expect(after.stdout).toBe('no dead-lettered messages\n');
  });

  it('refuses a queue no topic declares, naming the declared ones', () => {
    // when
    const run = runCli('bin/nexus.js', ['--data-dir', dataDir, 'dlq', 'queue', 'list', 'order-notice']);
    // then
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`nexus: unknown subscriber queue "order-notice"; declared: ${ORDER_NOTICES_QUEUE}\n`);
  });
});
