import { awaitAvailableSchemaVersion } from '../../../adapters/aws/glueSchemaVersionWaiter';
import type { SchemaVersionStatus, WaitClock } from '../../../adapters/aws/glueSchemaVersionWaiter';

// moto answers every new schema version AVAILABLE at once, so Glue's PENDING (its compatibility
// check running) and FAILURE (its check refusing) cannot be provoked there: the waiting logic is
// tested here directly, with the statuses Glue reports and a virtual clock.

/** A clock whose sleep advances its time at once, recording each pause. */
function virtualClock(): WaitClock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** The statuses a version reports on successive reads (the last one repeats). */
function statuses(...sequence: string[]): { read: () => Promise<SchemaVersionStatus>; reads: () => number } {
  let reads = 0;
  return {
    read: () => Promise.resolve({ Status: sequence[Math.min(reads++, sequence.length - 1)] }),
    reads: () => reads,
  };
}

const subject = { schemaName: 'nexus.order.OrderPlaced', schemaVersionId: '6f1c1b57-8a3e-4c1e-9a43-0a8f3d3c2b11' };

describe('awaitAvailableSchemaVersion', () => {
  it('returns an AVAILABLE version without reading it again', async () => {
    // given
    const source = statuses('AVAILABLE');
    const clock = virtualClock();
    // when
    const version = await awaitAvailableSchemaVersion({ Status: 'AVAILABLE' }, source.read, subject, { clock });
    // then
    expect(version.Status).toBe('AVAILABLE');
    expect(source.reads()).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });

  it('polls a PENDING version at the interval until it is AVAILABLE', async () => {
    // given Glue checking compatibility for three reads
    const source = statuses('PENDING', 'PENDING', 'AVAILABLE');
    const clock = virtualClock();
    // when
    const version = await awaitAvailableSchemaVersion({ Status: 'PENDING' }, source.read, subject, { clock, pollIntervalMs: 100 });
    // then
    expect(version.Status).toBe('AVAILABLE');
    expect(source.reads()).toBe(3);
    expect(clock.sleeps).toEqual([100, 100, 100]);
  });

  it('names the version Glue refused when it ends in FAILURE', async () => {
    // given
    const source = statuses('PENDING', 'FAILURE');
    // when
    const waiting = awaitAvailableSchemaVersion({ Status: 'PENDING' }, source.read, subject, { clock: virtualClock() });
    // then
    await expect(waiting).rejects.toMatchObject({ code: 'GLUE_SCHEMA_VERSION_FAILED', details: { ...subject, status: 'FAILURE' } });
  });

  it('refuses a version being deleted', async () => {
    // given / when
    const waiting = awaitAvailableSchemaVersion({ Status: 'DELETING' }, statuses('DELETING').read, subject, { clock: virtualClock() });
    // then
    await expect(waiting).rejects.toMatchObject({ code: 'GLUE_SCHEMA_VERSION_FAILED', details: expect.objectContaining({ status: 'DELETING' }) });
  });

  it('gives up on a version still PENDING after the bound, never sleeping past it', async () => {
    // given a version that never leaves PENDING
    const source = statuses('PENDING');
    const clock = virtualClock();
    // when
    const waiting = awaitAvailableSchemaVersion({ Status: 'PENDING' }, source.read, subject, { clock, pollIntervalMs: 400, maxWaitMs: 1000 });
    // then
    await expect(waiting).rejects.toMatchObject({ code: 'GLUE_SCHEMA_VERSION_STILL_PENDING', details: { ...subject, waitedMs: 1000 } });
    expect(clock.sleeps).toEqual([400, 400, 200]);
    expect(source.reads()).toBe(3);
  });

  it('passes an error of the re-read through', async () => {
    // given
    const failure = new Error('GetSchemaVersion failed');
    // when
    const waiting = awaitAvailableSchemaVersion({ Status: 'PENDING' }, () => Promise.reject(failure), subject, { clock: virtualClock() });
    // then
    await expect(waiting).rejects.toBe(failure);
  });
});
