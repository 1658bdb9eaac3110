import type { CheckpointStore } from '../../../core/checkpoint/CheckpointStore';
import type { EventCodec } from '../../../core/schema/EventCodec';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { Gate, RunnerHarness, observations, summaryPipeline, until } from './runnerHarness';
import type { Observations } from './runnerHarness';

/** Retries that never give up on their own: a gated key keeps retrying until its gate opens. */
const PATIENT = { maxAttempts: 1_000_000, initialBackoffMs: 1, maxBackoffMs: 2 };

/** The SQLite checkpoint store with and without its `atomically` (batch and checkpoint in one transaction). */
const STORES = [
  { name: 'in one transaction with the batch', view: (store: CheckpointStore): CheckpointStore => store },
  { name: 'one write at a time', view: (store: CheckpointStore): CheckpointStore => ({ get: (name) => store.get(name), set: (name, at) => store.set(name, at) }) },
];

describe.each(STORES)('EmbeddedPipelineRunner retrying a key off the batch path (checkpoints $name)', ({ view }) => {
  let codec: EventCodec;
  let harness: RunnerHarness;
  let seen: Observations;
  let gate: Gate;

  beforeAll(async () => {
    ({ codec } = await createSchemaEnvironment());
  });

  beforeEach(() => {
    harness = new RunnerHarness(codec);
    seen = observations();
    gate = new Gate();
    seen.gates.set('poison', gate);
  });

  afterEach(async () => {
    gate.open();
    await harness.close();
  });

  const runnerOf = (options: Parameters<RunnerHarness['runner']>[1] = {}) =>
    harness.runner(summaryPipeline(seen, PATIENT), options, { checkpoints: view(harness.checkpoints) });

  it('applies other keys of the same batch and of later batches while one key is retrying, and is not caught up until it is done', async () => {
    // given: a poison key held failing, between other keys
    await harness.publish('poison', 'a', 'b');
    const runner = runnerOf();
    await runner.start();
    let caughtUp = false;
    const whenCaughtUp = runner.whenCaughtUp().then(() => (caughtUp = true));
    await gate.attempted(3);
    // when: more records arrive while the poison key retries
    await harness.publish('c', 'a');
    await until(() => seen.applied.has('c') && seen.applied.get('a')?.length === 2);
    await gate.attempted(gate.attempts + 3);
    // then: the other keys are applied, the poison key is not, and the runner is not caught up
    expect(seen.appliedOrder).toEqual(['a@1', 'b@1', 'c@1', 'a@2']);
    expect(caughtUp).toBe(false);
    expect(runner.metrics()).toMatchObject({ retryingKeys: 1, waitingRecords: 1, recordsIn: 4 });
    // and when the poison key's failure ends
    gate.open();
    await whenCaughtUp;
    // then it is applied last, and the checkpoint reaches the last record
    expect(seen.appliedOrder).toEqual(['a@1', 'b@1', 'c@1', 'a@2', 'poison@1']);
    const [last] = (await harness.source.read(0, 100)).slice(-1);
    expect(await harness.checkpoints.get('order-summary')).toBe(last?.position);
    expect(runner.metrics()).toMatchObject({ retryingKeys: 0, waitingRecords: 0, recordsIn: 5, recordsOut: 5, recordsParked: 0 });
  });

  it('never checkpoints past a record that is not finished, even when every later record is', async () => {
    // given: a retrying poison key, followed by records of other keys that are all applied
    await harness.publish('a', 'poison', 'b', 'c');
    const runner = runnerOf({ batchSize: 2 });
    await runner.start();
    await until(() => seen.applied.has('b') && seen.applied.has('c'));
    // when: the runner has read and checkpointed as far as it can
    await gate.attempted(gate.attempts + 3);
    // then: the checkpoint is just below the poison record
    const [poisonAt] = await harness.positionsOf('poison');
    const [aAt] = await harness.positionsOf('a');
    const checkpoint = await harness.checkpoints.get('order-summary');
    expect(checkpoint).toBeGreaterThanOrEqual(aAt ?? Number.NaN);
    expect(checkpoint).toBeLessThan(poisonAt ?? Number.NaN);
    expect(runner.metrics().lastPosition).toBe(checkpoint);
  });

  it('keeps the order of the retrying key: its later records, in its batch and after, wait behind it', async () => {
    // given: a retrying poison key with a later record in the same batch
    await harness.publish('poison', 'x', 'poison');
    const runner = runnerOf();
    await runner.start();
    await gate.attempted(3);
    // when: more records of the poison key and of another key arrive
    await harness.publish('poison', 'x');
    await until(() => seen.applied.get('x')?.length === 2);
    await gate.attempted(gate.attempts + 3);
    const beforeOpening = [...seen.appliedOrder];
    gate.open();
    await runner.whenCaughtUp();
    // then: nothing of the poison key was applied before its first record, and all in order
    expect(beforeOpening).toEqual(['x@1', 'x@2']);
    expect(seen.appliedOrder).toEqual(['x@1', 'x@2', 'poison@1', 'poison@2', 'poison@3']);
    expect(runner.metrics()).toMatchObject({ recordsIn: 5, recordsOut: 5, retryingKeys: 0 });
  });

  it.each([
    ['maxRetryingKeys', { maxRetryingKeys: 1 }],
    ['maxWaitingRecords', { maxWaitingRecords: 2 }],
  ])('reads no further while %s is reached, and resumes once the retrying key finishes', async (_bound, options) => {
    // given: one record per batch, a retrying poison key with one record waiting behind it
    await harness.publish('poison', 'poison');
    const runner = runnerOf({ batchSize: 1, ...options });
    await runner.start();
    await gate.attempted(3);
    // when: a record of another key arrives while the bound is reached
    await harness.publish('late');
    await gate.attempted(gate.attempts + 20);
    const readWhileHeld = runner.metrics().recordsIn;
    const appliedWhileHeld = [...seen.appliedOrder];
    gate.open();
    await runner.whenCaughtUp();
    // then: it was not read until the poison key was done
    expect(readWhileHeld).toBe(0);
    expect(appliedWhileHeld).toEqual([]);
    expect(seen.appliedOrder).toEqual(['poison@1', 'poison@2', 'late@1']);
  });

  it('retries a failing key inside its batch when no retrying slot is free, so never more keys retry at once than the bound', async () => {
    // given: two failing keys in one batch, with room for one retrying key
    const second = new Gate();
    seen.gates.set('second', second);
    await harness.publish('poison', 'second', 'a');
    const runner = runnerOf({ maxRetryingKeys: 1 });
    await runner.start();
    // when: the second key keeps failing inside the batch
    await second.attempted(5);
    const poisonAttemptsWhileBatchHeld = gate.attempts;
    const retryingWhileBatchHeld = runner.metrics().retryingKeys;
    second.open();
    await until(() => seen.applied.has('second'));
    await gate.attempted(4);
    const retryingAfterBatch = runner.metrics().retryingKeys;
    gate.open();
    await runner.whenCaughtUp();
    // then: the batch waited for it (the first key, handed off, was not retried before the batch
    // was done), then the first key retried alone off the batch path; everything was applied
    expect(poisonAttemptsWhileBatchHeld).toBe(2);
    expect(retryingWhileBatchHeld).toBe(0);
    expect(retryingAfterBatch).toBe(1);
    expect(seen.appliedOrder).toEqual(['a@1', 'second@1', 'poison@1']);
  });

  it('parks a key that exhausts its attempts off the batch path, then parks behind it the records that waited for it', async () => {
    // given: a key that always fails, with a later record of its own in the same batch
    seen.broken.add('bad');
    const [badRecord] = await harness.publish('bad', 'a', 'bad');
    const runner = harness.runner(summaryPipeline(seen, { maxAttempts: 3 }), {}, { checkpoints: view(harness.checkpoints) });
    // when
    await runner.start();
    await runner.whenCaughtUp();
    // then: the first record is parked after 3 attempts, the second behind it, in order
    const parked = await harness.deadLetters.list({ pipelineName: 'order-summary' });
    expect(parked.map((entry) => [entry.key, entry.attempts, entry.parkedBehindId])).toEqual([
      ['bad', 3, null],
      ['bad', 0, parked[0]?.id],
    ]);
    expect(parked[0]?.record).toEqual(badRecord);
    expect(seen.appliedOrder).toEqual(['a@1']);
    const [last] = (await harness.source.read(0, 100)).slice(-1);
    expect(await harness.checkpoints.get('order-summary')).toBe(last?.position);
    expect(runner.metrics()).toMatchObject({ recordsIn: 3, recordsOut: 1, recordsFailed: 1, recordsParked: 2, retries: 2, retryingKeys: 0 });
  });
});
