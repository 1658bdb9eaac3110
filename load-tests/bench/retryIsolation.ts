import type { SourceRecord } from '../../core/streams/RecordSource';
import { runConstantArrivalRate } from '../loadgen/ConstantArrivalRate';
import { LatencyHistogram } from '../loadgen/LatencyHistogram';
import type { LatencySummary } from '../loadgen/LatencyHistogram';
import { orderPlacedPayload, scratch } from './benchFixtures';
import { openInstrumentedSystem } from './instrumentedSystem';

/** Options of {@link measureRetryIsolation}. */
export interface RetryIsolationOptions {
  /** New orders appended per second (open model), the failing key's not counted. */
  ratePerSecond: number;
  durationMs: number;
  /** Attempts of the failing key's record that throw before one succeeds. @defaultValue 5 */
  failingAttempts?: number;
}

/** One side of a run: with a failing key, or the baseline without. */
export interface IsolationSide {
  /** Append called -> the order-list read model holds the event, for every key but the failing ones. */
  otherKeysLag: LatencySummary;
  /** Failing keys that went through all their failed attempts and were then applied. */
  failingKeysDone: number;
  /** Attempts that threw. */
  failedAttempts: number;
  dropped: number;
}

/** Both sides of one run, measured one after the other on fresh temp directories. */
export interface RetryIsolationRun {
  withFailure: IsolationSide;
  baseline: IsolationSide;
}

/**
 * The embedded system in this process (event store with group commit, router, core stream,
 * order-list with the server's linger, on temp files) under single-event appends of new orders at
 * `ratePerSecond`, timing each other key from its append call to its read-model write. On the
 * failing side one key at a time fails: its record throws in the order-list pipe for its first
 * `failingAttempts` attempts (runner defaults: backoff from 50 ms, doubling, with jitter) and is
 * applied on the next; once applied, the next failing key is appended, so a key is retrying
 * throughout the run. The baseline is the same run without a failing key.
 */
export async function measureRetryIsolation(options: RetryIsolationOptions, baselineFirst = false): Promise<RetryIsolationRun> {
  if (baselineFirst) {
    const baseline = await measureSide(options, false);
    return { baseline, withFailure: await measureSide(options, true) };
  }
  const withFailure = await measureSide(options, true);
  return { withFailure, baseline: await measureSide(options, false) };
}

async function measureSide(options: RetryIsolationOptions, failing: boolean): Promise<IsolationSide> {
  const failingAttempts = options.failingAttempts ?? 5;
  const setup = scratch();
  const runId = Date.now().toString(36);
  const calledAt = new Map<string, number>();
  const otherKeysLag = new LatencyHistogram();
  const attemptsOf = new Map<string, number>();
  let failedAttempts = 0;
  let failingKeysDone = 0;
  let nextFailing: (() => void) | undefined;
  const isFailingKey = (key: string): boolean => key.startsWith(`poison-${runId}-`);

  const failFirstAttempts = (record: SourceRecord): void => {
    if (!failing || !isFailingKey(record.key)) return;
    const attempt = (attemptsOf.get(record.key) ?? 0) + 1;
    attemptsOf.set(record.key, attempt);
    if (attempt <= failingAttempts) {
      failedAttempts += 1;
      throw new Error(`bench: attempt ${attempt} of ${record.key} fails`);
    }
  };
  const projected = (key: string): void => {
    if (isFailingKey(key)) {
      failingKeysDone += 1;
      nextFailing?.();
      return;
    }
    const at = calledAt.get(key);
    if (at !== undefined) otherKeysLag.record(performance.now() - at);
    calledAt.delete(key);
  };
  const system = await openInstrumentedSystem(setup.dir, {
    onRecord: failFirstAttempts,
    onProjected: projected,
    // One more attempt than the failures, so the failing key is applied, not parked.
    options: { maxAttempts: failingAttempts + 1 },
  });
  const context = { aggregateType: 'Order', correlationId: 'bench' };
  let failingIndex = 0;
  let running = true;
  const appendFailingKey = (): void => {
    if (!running) return;
    const id = `poison-${runId}-${failingIndex}`;
    failingIndex += 1;
    void system.eventStore.append(id, 0, [{ eventType: 'OrderPlaced', payload: orderPlacedPayload(id, failingIndex) }], context);
  };
  // The baseline appends no failing key at all: one order in about 750 ms is no load to speak of.
  if (failing) nextFailing = appendFailingKey;
  try {
    await system.startPipelines();
    nextFailing?.();
    const result = await runConstantArrivalRate({ ratePerSecond: options.ratePerSecond, durationMs: options.durationMs, maxInFlight: 10_000 }, async (index) => {
      const id = `o-${runId}-${index}`;
      calledAt.set(id, performance.now());
      await system.eventStore.append(id, 0, [{ eventType: 'OrderPlaced', payload: orderPlacedPayload(id, index) }], context);
      return { ok: true, status: 200 };
    });
    running = false;
    await system.whenCaughtUp(120_000);
    return { otherKeysLag: otherKeysLag.summary(), failingKeysDone, failedAttempts, dropped: result.dropped };
  } finally {
    running = false;
    await system.close();
    setup.dispose();
  }
}
