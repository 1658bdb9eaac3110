import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCheckpointStore } from '../../../adapters/embedded';
import type { EventCodec } from '../../../core/schema/EventCodec';
import type { RecordSource } from '../../../core/streams/RecordSource';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { ORDERS, RunnerHarness, observations, summaryPipeline } from './runnerHarness';
import type { Observations, OrderSummary } from './runnerHarness';

describe('EmbeddedPipelineRunner', () => {
  let codec: EventCodec;
  let harness: RunnerHarness;
  let seen: Observations;

  beforeAll(async () => {
    ({ codec } = await createSchemaEnvironment());
  });

  beforeEach(() => {
    harness = new RunnerHarness(codec);
    seen = observations();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('projects every record, in order per key, and checkpoints the last position', async () => {
    // given
    await harness.publish('a', 'b', 'a', 'c', 'b', 'a', 'c', 'a');
    const runner = harness.runner(summaryPipeline(seen), { batchSize: 3 });
    // when
    await runner.start();
    await runner.whenCaughtUp();
    // then
    expect(Object.fromEntries(seen.applied)).toEqual({ a: [1, 2, 3, 4], b: [1, 2], c: [1, 2] });
    const doc = await harness.readModels.collection<OrderSummary>(ORDERS).get('a');
    expect(doc).toEqual({ id: 'a', version: 4, data: { status: 'PLACED', lines: 4 } });
    const [last] = (await harness.source.read(0, 100)).slice(-1);
    expect(await harness.checkpoints.get('order-summary')).toBe(last?.position);
    expect(runner.metrics()).toMatchObject({ recordsIn: 8, recordsOut: 8, recordsFailed: 0, recordsParked: 0, lastPosition: last?.position, lagRecords: 0 });
  });

  it('lets timers and messages run between batches while a backlog lasts (a synchronous store settles a batch in microtasks)', async () => {
    // given a backlog of many small batches, projected into SQLite (synchronous)
    const keys = Array.from({ length: 400 }, (_, n) => `k${n % 50}`);
    await harness.publish(...keys);
    const runner = harness.runner(summaryPipeline(seen), { batchSize: 2, concurrency: 1 });
    // when the runner starts, and a timer is due at once
    let appliedWhenTimerRan: number | undefined;
    const timerRan = new Promise<void>((resolve) =>
      setTimeout(() => {
        appliedWhenTimerRan = seen.appliedOrder.length;
        resolve();
      }, 0),
    );
    await runner.start();
    await timerRan;
    await runner.whenCaughtUp();
    // then the timer ran before the backlog was done
    expect(seen.appliedOrder).toHaveLength(400);
    expect(appliedWhenTimerRan).toBeLessThan(400);
  });

  it('processes different keys concurrently, never more than the concurrency bound', async () => {
    // given: six keys in one batch, and a sink that awaits each write
    await harness.publish('k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6');
    const runner = harness.runner(summaryPipeline(seen, {}, true), { concurrency: 2 });
    // when
    await runner.start();
    await runner.whenCaughtUp();
    // then
    expect(seen.maxInFlight).toBe(2);
    expect([...seen.applied.values()]).toEqual(Array.from({ length: 6 }, () => [1, 2]));
  });

  it('retries a poison record maxAttempts times, parks it with its bytes, parks later records of its key behind it, and lets other keys flow', async () => {
    // given
    seen.broken.add('poison');
    const [poisonRecord] = await harness.publish('poison', 'fine', 'poison', 'fine', 'poison');
    const runner = harness.runner(summaryPipeline(seen, { maxAttempts: 5 }));
    // when
    await runner.start();
    await runner.whenCaughtUp();
    await harness.publish('poison', 'fine');
    await runner.whenCaughtUp();
    // then
    const parked = await harness.deadLetters.list({ pipelineName: 'order-summary' });
    const [first] = parked;
    expect(first).toMatchObject({ key: 'poison', attempts: 5, parkedBehindId: null, errorCode: 'PIPELINE_ERROR', record: poisonRecord });
    expect(first?.errorMessage).toContain('cannot summarise poison');
    const { eventId } = await codec.decodeEnvelope(poisonRecord ?? Buffer.alloc(0));
    expect(seen.runs.get(eventId)).toBe(5);
    expect(parked.slice(1).map((entry) => [entry.key, entry.attempts, entry.parkedBehindId])).toEqual([
      ['poison', 0, first?.id],
      ['poison', 0, first?.id],
      ['poison', 0, first?.id],
    ]);
    expect(parked.map((entry) => entry.sourcePosition)).toEqual([...parked.map((entry) => entry.sourcePosition)].sort((x, y) => x - y));
    expect(Object.fromEntries(seen.applied)).toEqual({ fine: [1, 2, 3] });
    expect(runner.metrics()).toMatchObject({ recordsIn: 7, recordsOut: 3, recordsFailed: 1, recordsParked: 4, retries: 4 });
  });

  it('runs a failed lane again one record at a time: its other keys are applied once, the poison record runs maxAttempts times', async () => {
    // given: one lane (concurrency 1) holding a good key around a poison key
    seen.broken.add('poison');
    const [firstGood, poisonRecord, secondGood] = await harness.publish('good', 'poison', 'good');
    const runner = harness.runner(summaryPipeline(seen, { maxAttempts: 3 }), { concurrency: 1 });
    // when
    await runner.start();
    await runner.whenCaughtUp();
    // then
    const runsOf = async (record: Buffer | undefined): Promise<number | undefined> =>
      seen.runs.get((await codec.decodeEnvelope(record ?? Buffer.alloc(0))).eventId);
    expect(await runsOf(poisonRecord)).toBe(3);
    expect(await runsOf(firstGood)).toBe(2);
    expect(await runsOf(secondGood)).toBe(1);
    expect(await harness.readModels.collection<OrderSummary>(ORDERS).get('good')).toEqual({ id: 'good', version: 2, data: { status: 'PLACED', lines: 2 } });
    const [parked] = await harness.deadLetters.list({ pipelineName: 'order-summary' });
    expect(parked).toMatchObject({ key: 'poison', attempts: 3, record: poisonRecord });
    expect(runner.metrics()).toMatchObject({ recordsIn: 3, recordsOut: 2, recordsFailed: 1, recordsParked: 1, retries: 2 });
  });

  it('restarts from its checkpoint: nothing is processed twice and nothing is lost', async () => {
    // given: a runner on a database file processed five records and was stopped
    const dir = mkdtempSync(join(tmpdir(), 'nexus-runner-'));
    const file = join(dir, 'pipelines.db');
    const before = new RunnerHarness(codec, file);
    try {
      await before.publish('a', 'b', 'a', 'b', 'a');
      const first = before.runner(summaryPipeline(seen), { batchSize: 2 });
      await first.start();
      await first.whenCaughtUp();
      await first.stop();
      await before.publish('b', 'a', 'c');
      // when: a new runner starts on the same file
      const after = new RunnerHarness(codec, file);
      try {
        const second = after.runner(summaryPipeline(seen), { batchSize: 2 });
        await second.start();
        await second.whenCaughtUp();
        // then
        expect(second.metrics().recordsIn).toBe(3);
        expect([...seen.runs.values()].every((runs) => runs === 1)).toBe(true);
        expect(seen.runs.size).toBe(8);
        expect(Object.fromEntries(seen.applied)).toEqual({ a: [1, 2, 3, 4], b: [1, 2, 3], c: [1] });
      } finally {
        await after.close();
      }
    } finally {
      await before.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays harmlessly after a crash between processing and checkpointing', async () => {
    // given: everything processed, then a runner whose checkpoint was left behind (position 0)
    await harness.publish('a', 'b', 'a', 'b');
    const first = harness.runner(summaryPipeline(seen));
    await first.start();
    await first.whenCaughtUp();
    await first.stop();
    const staleDb = new Database(':memory:');
    const staleCheckpoints = new SqliteCheckpointStore(staleDb);
    // when
    const replaying = harness.runner(summaryPipeline(seen), {}, { checkpoints: staleCheckpoints });
    await replaying.start();
    await replaying.whenCaughtUp();
    await replaying.stop();
    staleDb.close();
    // then: every record ran twice, but each version was applied once
    expect([...seen.runs.values()]).toEqual([2, 2, 2, 2]);
    expect(Object.fromEntries(seen.applied)).toEqual({ a: [1, 2], b: [1, 2] });
    expect(replaying.metrics()).toMatchObject({ recordsIn: 4, recordsParked: 0 });
  });

  it('wakes on append without waiting for the idle timer', async () => {
    // given: a caught-up runner that would poll only once a minute
    const runner = harness.runner(summaryPipeline(seen), { idlePollMs: 60_000 });
    await runner.start();
    await runner.whenCaughtUp();
    const processed = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (seen.applied.has('late')) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    // when
    await harness.publish('late');
    // then: resolved long before the idle poll (the test would time out otherwise)
    await processed;
    expect(seen.applied.get('late')).toEqual([1]);
  });

  it('lingers after a partial batch, so records committed meanwhile share the next batch', async () => {
    // given: a caught-up runner that lingers 200 ms after a partial batch
    const runner = harness.runner(summaryPipeline(seen), { idlePollMs: 60_000, lingerMs: 200 });
    await runner.start();
    await runner.whenCaughtUp();
    const before = runner.metrics().batches;
    // when: three records are committed a few milliseconds apart, each waking the runner
    for (const id of ['x', 'y', 'z']) {
      await harness.publish(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await runner.whenCaughtUp();
    // then: one batch took all three
    expect(runner.metrics().batches - before).toBe(1);
    expect([...seen.applied.keys()].sort()).toEqual(['x', 'y', 'z']);
  });

  it('keeps running when the source fails, and catches up once it recovers', async () => {
    // given: the real source, failing on its first two reads
    let failuresLeft = 2;
    const real = harness.source;
    const flaky: RecordSource = {
      name: real.name,
      onAppend: (listener) => real.onAppend(listener),
      read: async (after, limit) => {
        if (failuresLeft-- > 0) throw new Error('disk I/O error');
        return real.read(after, limit);
      },
    };
    await harness.publish('a', 'b');
    const runner = harness.runner(summaryPipeline(seen), { initialBackoffMs: 1, maxFailureBackoffMs: 2 }, { source: flaky });
    // when
    await runner.start();
    await runner.whenCaughtUp();
    // then
    expect(Object.fromEntries(seen.applied)).toEqual({ a: [1], b: [1] });
    expect(runner.metrics().sourceFailures).toBe(2);
  });

  it('stops listening once stopped, keeping its checkpoint', async () => {
    // given
    await harness.publish('a');
    const runner = harness.runner(summaryPipeline(seen), { idlePollMs: 5 });
    await runner.start();
    await runner.whenCaughtUp();
    const checkpoint = await harness.checkpoints.get('order-summary');
    // when
    await runner.stop();
    await harness.publish('b');
    await new Promise((resolve) => setTimeout(resolve, 30));
    // then
    expect(seen.applied.has('b')).toBe(false);
    expect(await harness.checkpoints.get('order-summary')).toBe(checkpoint);
    await expect(runner.whenCaughtUp()).rejects.toMatchObject({ code: 'PIPELINE_RUNNER_NOT_RUNNING' });
  });
});
