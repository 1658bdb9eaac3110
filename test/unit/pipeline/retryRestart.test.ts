import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCheckpointStore } from '../../../adapters/embedded';
import type { EventCodec } from '../../../core/schema/EventCodec';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { Gate, RunnerHarness, observations, summaryPipeline, until } from './runnerHarness';
import type { Observations } from './runnerHarness';

/** Retries that never give up on their own: a gated key keeps retrying until its gate opens. */
const PATIENT = { maxAttempts: 1_000_000, initialBackoffMs: 1, maxBackoffMs: 2 };

describe('EmbeddedPipelineRunner restarting while a key is retrying', () => {
  let codec: EventCodec;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    ({ codec } = await createSchemaEnvironment());
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nexus-retry-restart-'));
    file = join(dir, 'pipelines.db');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a new runner (a new process, as far as the pipeline can tell) on `database` until caught up. */
  async function runAgain(database: string, seen: Observations): Promise<RunnerHarness> {
    const again = new RunnerHarness(codec, database);
    const runner = again.runner(summaryPipeline(seen, PATIENT));
    await runner.start();
    await runner.whenCaughtUp();
    return again;
  }

  it('stops mid-retry without waiting for the key or checkpointing past it; the next run applies the key in order and loses nothing', async () => {
    // given: a key retrying behind its gate, its second record waiting, other keys applied
    const seen = observations();
    const gate = new Gate();
    seen.gates.set('poison', gate);
    const before = new RunnerHarness(codec, file);
    const [, , bRecord] = await before.publish('a', 'poison', 'b', 'poison');
    const first = before.runner(summaryPipeline(seen, PATIENT));
    await first.start();
    await until(() => seen.applied.has('b'));
    await gate.attempted(gate.attempts + 3);
    // when: the runner is stopped while the key retries, and a new one runs once the failure is gone
    await first.stop();
    const checkpoint = await before.checkpoints.get('order-summary');
    await before.close();
    gate.open();
    const after = await runAgain(file, seen);
    try {
      // then: the checkpoint had stayed below the unfinished record
      const [aAt] = await after.positionsOf('a');
      const [poisonAt] = await after.positionsOf('poison');
      expect(checkpoint).toBeGreaterThanOrEqual(aAt ?? Number.NaN);
      expect(checkpoint).toBeLessThan(poisonAt ?? Number.NaN);
      // and everything after it was read again: the key in order, 'b' re-run but not re-applied
      expect(seen.appliedOrder).toEqual(['a@1', 'b@1', 'poison@1', 'poison@2']);
      const { eventId: bEventId } = await codec.decodeEnvelope(bRecord ?? Buffer.alloc(0));
      expect(seen.runs.get(bEventId)).toBe(2);
      const [last] = (await after.source.read(0, 100)).slice(-1);
      expect(await after.checkpoints.get('order-summary')).toBe(last?.position);
      expect(await after.deadLetters.list({ pipelineName: 'order-summary' })).toEqual([]);
    } finally {
      await after.close();
    }
  });

  it('after a crash mid-retry, replays from the checkpoint on disk: nothing lost, nothing applied out of order', async () => {
    // given: a runner with a key retrying behind its gate and later records of every key applied
    const crashed = observations();
    const gate = new Gate();
    crashed.gates.set('poison', gate);
    const live = new RunnerHarness(codec, file);
    try {
      await live.publish('poison', 'a', 'poison', 'b', 'a');
      const runner = live.runner(summaryPipeline(crashed, PATIENT));
      await runner.start();
      await until(() => crashed.applied.get('a')?.length === 2 && crashed.applied.has('b'));
      await gate.attempted(gate.attempts + 3);
      // when: the process dies now (its database as a crash leaves it: what is committed), and
      // a new process runs the pipeline on that database, the failure gone
      const copy = join(dir, 'after-crash.db');
      await until(() => snapshotWhenIdle(live.db, copy));
      const recovered = observations();
      const after = await runAgain(copy, recovered);
      try {
        // then: the key's records were applied in order after the restart, other keys' records
        // were read again and applied harmlessly (already at their versions), none is parked
        expect(crashed.applied.has('poison')).toBe(false);
        expect(recovered.appliedOrder).toEqual(['poison@1', 'poison@2']);
        expect(await after.readModels.collection('order-summaries').get('a')).toMatchObject({ version: 2 });
        expect(recovered.runs.size).toBe(5);
        expect(await after.deadLetters.list({ pipelineName: 'order-summary' })).toEqual([]);
      } finally {
        await after.close();
      }
    } finally {
      gate.open();
      await live.close();
    }
  });

  it('does not park twice, nor apply, the records of a parked key that a replay reads again', async () => {
    // given: a key applied once, then parked with a record behind it, all checkpointed
    const seen = observations();
    const harness = new RunnerHarness(codec, file);
    try {
      await harness.publish('bad');
      const first = harness.runner(summaryPipeline(seen, { maxAttempts: 2 }));
      await first.start();
      await first.whenCaughtUp();
      seen.broken.add('bad');
      await harness.publish('bad', 'ok', 'bad');
      await first.whenCaughtUp();
      await first.stop();
      const parkedBefore = await harness.deadLetters.list({ pipelineName: 'order-summary' });
      // when: a runner replays the whole source (its checkpoint lost, as after a crash)
      const staleDb = new Database(':memory:');
      const replaying = harness.runner(summaryPipeline(seen, { maxAttempts: 2 }), {}, { checkpoints: new SqliteCheckpointStore(staleDb) });
      await replaying.start();
      await replaying.whenCaughtUp();
      await replaying.stop();
      staleDb.close();
      // then: the dead letters are the same two, and the key's first record was not applied again
      expect(parkedBefore.map((entry) => [entry.key, entry.attempts, entry.parkedBehindId === null])).toEqual([
        ['bad', 2, true],
        ['bad', 0, false],
      ]);
      expect(await harness.deadLetters.list({ pipelineName: 'order-summary' })).toEqual(parkedBefore);
      expect(Object.fromEntries(seen.applied)).toEqual({ bad: [1], ok: [1] });
      expect(replaying.metrics()).toMatchObject({ recordsIn: 4, recordsParked: 0, recordsFailed: 0 });
    } finally {
      await harness.close();
    }
  });

  it('stops while a key is retried inside its batch (no retrying slot free), leaving it unfinished for the next start', async () => {
    // given: room for one retrying key, and two keys failing in one batch
    const seen = observations();
    const first = new Gate();
    const second = new Gate();
    seen.gates.set('first', first);
    seen.gates.set('second', second);
    const harness = new RunnerHarness(codec, file);
    try {
      await harness.publish('first', 'second', 'a');
      const runner = harness.runner(summaryPipeline(seen, PATIENT), { maxRetryingKeys: 1 });
      await runner.start();
      await second.attempted(4);
      // when: the runner is stopped, then started again once both failures are gone
      await runner.stop();
      const checkpoint = await harness.checkpoints.get('order-summary');
      first.open();
      second.open();
      await runner.start();
      await runner.whenCaughtUp();
      // then: the checkpoint had stayed below both keys, and both were applied after the start
      const [firstAt] = await harness.positionsOf('first');
      expect(checkpoint).toBeLessThan(firstAt ?? Number.NaN);
      expect([...seen.appliedOrder].sort()).toEqual(['a@1', 'first@1', 'second@1']);
    } finally {
      await harness.close();
    }
  });

  it('starts again on the same runner after a stop mid-retry, from its checkpoint', async () => {
    // given: a runner stopped while a key was retrying
    const seen = observations();
    const gate = new Gate();
    seen.gates.set('poison', gate);
    const harness = new RunnerHarness(codec, file);
    try {
      await harness.publish('poison', 'a');
      const runner = harness.runner(summaryPipeline(seen, PATIENT));
      await runner.start();
      await until(() => seen.applied.has('a'));
      await gate.attempted(gate.attempts + 3);
      await runner.stop();
      // when: it is started again once the failure is gone
      gate.open();
      await runner.start();
      await runner.whenCaughtUp();
      // then: the unfinished record was read again and applied
      expect(seen.appliedOrder).toEqual(['a@1', 'poison@1']);
      expect(runner.metrics()).toMatchObject({ retryingKeys: 0, waitingRecords: 0 });
    } finally {
      await harness.close();
    }
  });
});

/** Copies the committed state of `db` to `file` when no transaction is open; false otherwise. */
function snapshotWhenIdle(db: Database.Database, file: string): boolean {
  if (db.inTransaction) return false;
  db.prepare('VACUUM INTO ?').run(file);
  return true;
}
