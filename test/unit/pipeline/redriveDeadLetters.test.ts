import type { EventCodec } from '../../../core/schema/EventCodec';
import { redriveDeadLetters, skipDeadLetter } from '../../../core/pipeline/redriveDeadLetters';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import { ORDERS, RunnerHarness, observations, summaryPipeline } from './runnerHarness';
import type { Observations, OrderSummary } from './runnerHarness';
import type { EmbeddedPipelineRunner } from '../../../core/pipeline/EmbeddedPipelineRunner';

describe('redriveDeadLetters', () => {
  let codec: EventCodec;
  let harness: RunnerHarness;
  let seen: Observations;
  let runner: EmbeddedPipelineRunner;

  beforeAll(async () => {
    ({ codec } = await createSchemaEnvironment());
  });

  beforeEach(async () => {
    // given (shared): key "poison" parked with two records behind it, key "fine" flowing
    harness = new RunnerHarness(codec);
    seen = observations();
    seen.broken.add('poison');
    await harness.publish('poison', 'fine', 'poison', 'poison');
    runner = harness.runner(summaryPipeline(seen, { maxAttempts: 2 }));
    await runner.start();
    await runner.whenCaughtUp();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('after the fix, applies the parked records in order, marks them redriven, and the key flows again', async () => {
    // given
    seen.broken.delete('poison');
    // when
    const summary = await redriveDeadLetters(summaryPipeline(seen), { deadLetters: harness.deadLetters, context: harness.context }, { key: 'poison' });
    await harness.publish('poison');
    await runner.whenCaughtUp();
    // then
    expect(summary).toEqual({ redriven: 3, failed: [] });
    expect(seen.applied.get('poison')).toEqual([1, 2, 3, 4]);
    expect(await harness.deadLetters.list({ pipelineName: 'order-summary' })).toEqual([]);
    const statuses = (await harness.deadLetters.list({ status: 'all' })).map((entry) => entry.status);
    expect(statuses).toEqual(['redriven', 'redriven', 'redriven']);
    expect((await harness.readModels.collection<OrderSummary>(ORDERS).get('poison'))?.version).toBe(4);
  });

  it('redrives every parked key when no key is given', async () => {
    // given
    seen.broken.delete('poison');
    // when
    const summary = await redriveDeadLetters(summaryPipeline(seen), { deadLetters: harness.deadLetters, context: harness.context });
    // then
    expect(summary.redriven).toBe(3);
    expect(await harness.deadLetters.list()).toEqual([]);
  });

  it('redrives a key only up to the selected id, oldest first', async () => {
    // given
    seen.broken.delete('poison');
    const [oldest, second] = await harness.deadLetters.list();
    // when
    const summary = await redriveDeadLetters(summaryPipeline(seen), { deadLetters: harness.deadLetters, context: harness.context }, { id: second?.id });
    // then
    expect(summary).toEqual({ redriven: 2, failed: [] });
    expect(oldest).toBeDefined();
    expect((await harness.deadLetters.list()).map((entry) => entry.id)).toEqual([(second?.id ?? 0) + 1]);
  });

  it('stops a key at the first failure, records it, and keeps the rest parked in order', async () => {
    // given: the bug is not fixed
    const [oldest] = await harness.deadLetters.list();
    // when
    const summary = await redriveDeadLetters(summaryPipeline(seen), { deadLetters: harness.deadLetters, context: harness.context }, { key: 'poison' }, { maxAttempts: 3, initialBackoffMs: 1 });
    // then
    expect(summary.redriven).toBe(0);
    expect(summary.failed).toEqual([{ id: oldest?.id, key: 'poison', error: { code: 'PIPELINE_ERROR', message: 'Error: cannot summarise poison', attempts: 3 } }]);
    const parked = await harness.deadLetters.list();
    expect(parked).toHaveLength(3);
    expect(parked[0]?.attempts).toBe(5);
  });

  it('refuses a dead letter of another pipeline', async () => {
    // given
    const [entry] = await harness.deadLetters.list();
    const other = { ...summaryPipeline(seen), name: 'other-pipeline' };
    // when
    const redrive = redriveDeadLetters(other, { deadLetters: harness.deadLetters, context: harness.context }, { id: entry?.id });
    // then
    await expect(redrive).rejects.toMatchObject({ code: 'DEAD_LETTER_WRONG_PIPELINE' });
  });

  it('skips one entry, which then no longer blocks its key', async () => {
    // given
    const parked = await harness.deadLetters.list();
    // when
    for (const entry of parked) await skipDeadLetter(harness.deadLetters, entry.id);
    seen.broken.delete('poison');
    await harness.publish('poison');
    await runner.whenCaughtUp();
    // then
    expect((await harness.deadLetters.list({ status: 'skipped' })).map((entry) => entry.id)).toEqual(parked.map((entry) => entry.id));
    expect(seen.applied.get('poison')).toEqual([4]);
    await expect(skipDeadLetter(harness.deadLetters, parked[0]?.id ?? 0)).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_PARKED' });
  });
});
