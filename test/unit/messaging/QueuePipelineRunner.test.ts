import Database from 'better-sqlite3';
import { concatMap, tap } from 'rxjs';
import { SqliteReadModelStore, SqliteStreamLog, SqliteSubscriberQueue, SqliteTopicPublisher } from '../../../adapters/embedded';
import { silentLogger } from '../../../core/logging/Logger';
import { eventMessageAttributes } from '../../../core/messaging/QueueMessage';
import { QueuePipelineRunner } from '../../../core/messaging/QueuePipelineRunner';
import type { TopicDeclaration } from '../../../core/messaging/Topic';
import { definePipeline } from '../../../core/pipeline/PipelineDefinition';
import type { PipelineContext } from '../../../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import { subscriberQueue } from '../../../core/streams/RecordSource';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../../domain';
import { decode } from '../../../operators';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { orderRecord } from '../operators/pipelineFixtures';
import type { OrderEventFixture } from '../operators/pipelineFixtures';

const TOPOLOGY: TopicDeclaration[] = [{ name: 'order-events', subscriptions: [{ queue: 'notices' }] }];

/** What the test pipeline saw: `id@version` in the order it finished them, and which ids fail. */
interface Seen {
  finished: string[];
  runs: Map<string, number>;
  /** Aggregate ids whose events throw (a bug until deleted). */
  broken: Set<string>;
  /** Aggregate ids that fail this many more runs. */
  failing: Map<string, number>;
  /** While set, every run waits for it. */
  hold?: Promise<void>;
}

function noticePipeline(seen: Seen) {
  return definePipeline({
    name: 'notices',
    source: subscriberQueue('notices'),
    options: { initialBackoffMs: 1, maxBackoffMs: 4 },
    pipe: (records$, context) =>
      records$.pipe(
        decode(context.codec),
        concatMap((event) => waitForHold(seen, event)),
        tap((event) => observe(seen, event)),
      ),
  });
}

async function waitForHold(seen: Seen, event: PipelineEvent): Promise<PipelineEvent> {
  await seen.hold;
  return event;
}

function observe(seen: Seen, event: PipelineEvent): void {
  const { aggregateId, aggregateVersion } = event.envelope;
  const id = `${aggregateId}@${aggregateVersion}`;
  seen.runs.set(id, (seen.runs.get(id) ?? 0) + 1);
  if (seen.broken.has(aggregateId)) throw new Error(`cannot notify ${aggregateId}`);
  const failures = seen.failing.get(aggregateId) ?? 0;
  if (failures > 0) {
    seen.failing.set(aggregateId, failures - 1);
    throw new Error(`${aggregateId} fails ${failures} more time(s)`);
  }
  seen.finished.push(id);
}

describe('QueuePipelineRunner', () => {
  let schemas: SchemaEnvironment;
  let db: Database.Database;
  let topics: SqliteTopicPublisher;
  let queue: SqliteSubscriberQueue;
  let context: PipelineContext;
  let seen: Seen;
  let runner: QueuePipelineRunner | undefined;

  beforeAll(async () => {
    schemas = await createSchemaEnvironment();
  });

  beforeEach(() => {
    db = new Database(':memory:');
    topics = new SqliteTopicPublisher(db, TOPOLOGY);
    queue = new SqliteSubscriberQueue(db, 'notices');
    context = {
      pipelineName: 'notices',
      codec: schemas.codec,
      upcasters: new UpcasterRegistry(orderUpcasters),
      readModels: new SqliteReadModelStore(db),
      publisher: new SqliteStreamLog(db),
      topics,
      logger: silentLogger,
    };
    seen = { finished: [], runs: new Map(), broken: new Set(), failing: new Map() };
  });

  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    db.close();
  });

  afterAll(() => schemas.db.close());

  async function publish(...fixtures: OrderEventFixture[]): Promise<void> {
    const messages = [];
    for (const fixture of fixtures) {
      const { key, record } = await orderRecord(schemas.codec, fixture);
      const envelope = await schemas.codec.decodeEnvelope(record);
      messages.push({ body: record, groupKey: key, deduplicationId: envelope.eventId, attributes: eventMessageAttributes(envelope) });
    }
    await topics.publish('order-events', messages);
  }

  async function start(): Promise<QueuePipelineRunner> {
    runner = new QueuePipelineRunner(noticePipeline(seen), { queue, context }, { idlePollMs: 10 });
    await runner.start();
    return runner;
  }

  it('runs every message through the pipeline, in order per key, and empties the queue', async () => {
    // given messages of two orders in the queue
    await publish({ aggregateId: 'order-1', aggregateVersion: 1 }, { aggregateId: 'order-1', aggregateVersion: 2 }, { aggregateId: 'order-2', aggregateVersion: 1 });
    // when the runner catches up
    const running = await start();
    await running.whenCaughtUp(10_000);
    // then each was finished once, in order per key, and the queue is empty
    expect(seen.finished.filter((id) => id.startsWith('order-1'))).toEqual(['order-1@1', 'order-1@2']);
    expect(seen.finished).toContain('order-2@1');
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    expect(running.metrics()).toMatchObject({ recordsIn: 3, recordsOut: 3, recordsFailed: 0 });
  });

  it('leaves a failed message unacked, redelivers it after its backoff, and keeps the later messages of its key behind it', async () => {
    // given an order whose first message fails twice, with a second message behind it, and another order
    seen.failing.set('order-1', 2);
    await publish({ aggregateId: 'order-1', aggregateVersion: 1 }, { aggregateId: 'order-1', aggregateVersion: 2 }, { aggregateId: 'order-2', aggregateVersion: 1 });
    // when the runner catches up
    const running = await start();
    await running.whenCaughtUp(10_000);
    // then the failed message was received three times and finished before the one behind it
    expect(seen.runs.get('order-1@1')).toBe(3);
    expect(seen.finished.filter((id) => id.startsWith('order-1'))).toEqual(['order-1@1', 'order-1@2']);
    expect(seen.runs.get('order-1@2')).toBe(1);
    expect(seen.finished).toContain('order-2@1');
    expect(running.metrics()).toMatchObject({ retries: 2, recordsFailed: 0 });
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('leaves a message that fails on every receive in the dead-letter queue after 5 receives, while other orders flow', async () => {
    // given a poison order and a healthy one
    seen.broken.add('order-poison');
    await publish({ aggregateId: 'order-poison', aggregateVersion: 1 }, { aggregateId: 'order-fine', aggregateVersion: 1 });
    // when the runner catches up
    const running = await start();
    await running.whenCaughtUp(10_000);
    // then the poison message was run on each of its 5 receives, then dead-lettered; the other finished
    expect(seen.runs.get('order-poison@1')).toBe(5);
    expect(seen.finished).toEqual(['order-fine@1']);
    const [dead, ...more] = await queue.deadLetters(10);
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ groupKey: 'order-poison', receiveCount: 5 });
    expect(running.metrics()).toMatchObject({ recordsFailed: 1, recordsParked: 1 });
  });

  it('sends the messages received behind a dead-lettered one into the dead-letter queue with it, in order, never running them', async () => {
    // given a poison order with a second message behind the first
    seen.broken.add('order-poison');
    await publish({ aggregateId: 'order-poison', aggregateVersion: 1, eventId: 'poison-1' }, { aggregateId: 'order-poison', aggregateVersion: 2, eventId: 'poison-2' });
    // when the runner catches up
    const running = await start();
    await running.whenCaughtUp(10_000);
    // then both lie in the dead-letter queue in publish order, and the second was never run
    expect((await queue.deadLetters(10)).map((message) => message.attributes.eventId)).toEqual(['poison-1', 'poison-2']);
    expect(seen.runs.get('order-poison@2')).toBeUndefined();
  });

  it('processes a redriven dead letter once its bug is fixed', async () => {
    // given a dead-lettered message
    seen.broken.add('order-poison');
    await publish({ aggregateId: 'order-poison', aggregateVersion: 1 });
    const running = await start();
    await running.whenCaughtUp(10_000);
    expect((await queue.depth()).deadLettered).toBe(1);
    // when the bug is fixed and the dead-letter queue redriven
    seen.broken.delete('order-poison');
    expect(await queue.redrive()).toBe(1);
    await running.whenCaughtUp(10_000);
    // then it is finished and nothing is left
    expect(seen.finished).toEqual(['order-poison@1']);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('logs and retries a failing receive instead of stopping, and catches up once the engine recovers', async () => {
    // given a queue whose receives fail (a trigger stands in for a disk fault)
    await publish({ aggregateId: 'order-1', aggregateVersion: 1 });
    db.exec(`CREATE TRIGGER refuse_receive BEFORE UPDATE OF receive_count ON queue_messages
             BEGIN SELECT RAISE(ABORT, 'simulated disk fault'); END`);
    const running = await start();
    while (running.metrics().sourceFailures < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    // when the engine recovers
    db.exec('DROP TRIGGER refuse_receive');
    await running.whenCaughtUp(10_000);
    // then the message was processed after all
    expect(seen.finished).toEqual(['order-1@1']);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('keeps a message in flight while the pipeline runs it, and on stop finishes and acks it before stopping', async () => {
    // given a pipeline held in the middle of a message
    let release = (): void => undefined;
    seen.hold = new Promise((resolve) => (release = resolve));
    await publish({ aggregateId: 'order-1', aggregateVersion: 1 });
    const running = await start();
    while ((await queue.depth()).inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    // when the runner is stopped while the message is running
    const stopping = running.stop();
    // then the message is not acked yet (a crash now would redeliver it)
    expect(seen.finished).toEqual([]);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1, deadLettered: 0 });
    // and once the pipeline finishes it, stop acks it and resolves
    release();
    await stopping;
    expect(seen.finished).toEqual(['order-1@1']);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    await expect(running.whenCaughtUp(100)).rejects.toMatchObject({ code: 'PIPELINE_RUNNER_NOT_RUNNING' });
  });
});
