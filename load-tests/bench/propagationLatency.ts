import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { runConstantArrivalRate } from '../loadgen/ConstantArrivalRate';
import { LatencyHistogram } from '../loadgen/LatencyHistogram';
import type { LatencySummary } from '../loadgen/LatencyHistogram';
import { orderPlacedPayload, scratch } from './benchFixtures';
import { openInstrumentedSystem } from './instrumentedSystem';

/** One run at a fixed offered load. */
export interface PropagationRun {
  /** Append committed -> the record enters the order-list pipeline (through router and core stream). */
  propagation: LatencySummary;
  /** Append called -> the order-list read model holds the event. */
  projectionLag: LatencySummary;
  /** The event loop's own delay over the run: the floor under any in-process latency. */
  eventLoopDelay: LatencySummary;
  offered: number;
  dropped: number;
}

/**
 * The whole embedded system in this process (event store with group commit, router, core
 * stream, order-list projection with the server's linger, on temp files) under single-event appends of new orders at `ratePerSecond` for
 * `durationMs` (open model), timing each event from its commit to the projection's entry and
 * from the append call to the read-model write.
 */
export async function measurePropagation(ratePerSecond: number, durationMs: number): Promise<PropagationRun> {
  const setup = scratch();
  const committedAt = new Map<string, number>();
  const calledAt = new Map<string, number>();
  const propagation = new LatencyHistogram();
  const projectionLag = new LatencyHistogram();
  function enter(key: string): void {
    const at = committedAt.get(key);
    if (at !== undefined) propagation.record(performance.now() - at);
  }
  function projected(key: string): void {
    const at = calledAt.get(key);
    if (at !== undefined) projectionLag.record(performance.now() - at);
    calledAt.delete(key);
    committedAt.delete(key);
  }

  const system = await openInstrumentedSystem(setup.dir, { onRecord: (record) => enter(record.key), onProjected: projected });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  try {
    await system.startPipelines();
    delay.enable();
    const context = { aggregateType: 'Order', correlationId: 'bench' };
    const runId = Date.now().toString(36);
    const result = await runConstantArrivalRate({ ratePerSecond, durationMs, maxInFlight: 10_000 }, async (index) => {
      const id = `p-${runId}-${index}`;
      calledAt.set(id, performance.now());
      await system.eventStore.append(id, 0, [{ eventType: 'OrderPlaced', payload: orderPlacedPayload(id, index) }], context);
      committedAt.set(id, performance.now());
      return { ok: true, status: 200 };
    });
    await system.whenCaughtUp(120_000);
    delay.disable();
    return {
      propagation: propagation.summary(),
      projectionLag: projectionLag.summary(),
      eventLoopDelay: loopDelaySummary(delay),
      offered: result.scheduled,
      dropped: result.dropped,
    };
  } finally {
    await system.close();
    setup.dispose();
  }
}

function loopDelaySummary(delay: IntervalHistogram): LatencySummary {
  const ms = (nanos: number): number => (Number.isFinite(nanos) ? nanos / 1e6 : 0);
  return {
    count: delay.count,
    minMs: ms(delay.min),
    p50Ms: ms(delay.percentile(50)),
    p90Ms: ms(delay.percentile(90)),
    p99Ms: ms(delay.percentile(99)),
    p999Ms: ms(delay.percentile(99.9)),
    maxMs: ms(delay.max),
    meanMs: ms(delay.mean),
  };
}
