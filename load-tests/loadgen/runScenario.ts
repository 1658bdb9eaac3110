import { runConstantArrivalRate } from './ConstantArrivalRate';
import type { ArrivalRateResult } from './ConstantArrivalRate';
import { HttpLoadClient } from './HttpLoadClient';
import { LatencyHistogram } from './LatencyHistogram';
import type { LatencySummary } from './LatencyHistogram';
import type { ProcessMemory } from './NexusServer';
import { parseDuration, placeOrderBody, requestMaker, seedOrders } from './scenarios';
import type { ScenarioDefinition, ScenarioName, ScenarioThresholds } from './scenarios';

/** Where to send the load and how to watch the server. */
export interface LoadTarget {
  baseUrl: string;
  token: string;
  /** Memory of the server process, sampled during the run when given. */
  memory?: () => ProcessMemory | undefined;
}

/** One threshold and whether the run met it. */
export interface ThresholdVerdict {
  name: string;
  limit: number;
  actual: number;
  passed: boolean;
}

/** What {@link runScenario} reports. */
export interface LoadReport {
  scenario: ScenarioName;
  rate: number;
  durationMs: number;
  requests: Omit<ArrivalRateResult, 'latency' | 'serviceTime'>;
  latency: LatencySummary;
  serviceTime: LatencySummary;
  /**
   * End-to-end projection lag, probed during the run: a PlaceOrder of its own, then its order
   * polled on the query API until it is there; from the 202 to the first 200.
   */
  projectionLag: LatencySummary;
  errorRate: number;
  /** RSS of the server at the start and end of the run, and its peak (MB). */
  serverMemory?: { startMb: number; endMb: number; peakMb: number };
  thresholds: ThresholdVerdict[];
  /** Our tighter targets; informative only. */
  targets: ThresholdVerdict[];
  passed: boolean;
}

/** Runs one scenario at a constant arrival rate against `target` and checks its thresholds. */
export async function runScenario(
  name: ScenarioName,
  definition: ScenarioDefinition,
  target: LoadTarget,
  lagProbeIntervalMs = 250,
): Promise<LoadReport> {
  const durationMs = parseDuration(definition.duration);
  const client = new HttpLoadClient(target.baseUrl, { token: target.token, maxSockets: definition.maxInFlight });
  const probe = new HttpLoadClient(target.baseUrl, { token: target.token, maxSockets: 1 });
  const runId = Date.now().toString(36);
  try {
    const orderIds = name === 'commands' ? [] : await seedOrders(client, runId, definition.seedOrders ?? 100);
    const startMemory = target.memory?.();
    const lag = new LatencyHistogram();
    // Only scenarios that judge the lag probe it: each probe is a command of its own.
    let probing = definition.thresholds.projectionLagP99Ms !== undefined || definition.targets.projectionLagP99Ms !== undefined;
    const probeLoop = (async () => {
      for (let probeIndex = 0; probing; probeIndex += 1) {
        const lagMs = await projectionLagMs(probe, `lag-${runId}-${probeIndex}`);
        if (lagMs !== undefined) lag.record(lagMs);
        await new Promise((r) => setTimeout(r, lagProbeIntervalMs));
      }
    })();
    const result = await runConstantArrivalRate(
      { ratePerSecond: definition.rate, durationMs, maxInFlight: definition.maxInFlight },
      requestMaker(name, definition, client, runId, orderIds),
    );
    probing = false;
    await probeLoop;
    const endMemory = target.memory?.();
    const { latency, serviceTime, ...requests } = result;
    const errorRate = requests.scheduled === 0 ? 0 : (requests.failed + requests.dropped) / requests.scheduled;
    const report: LoadReport = {
      scenario: name,
      rate: definition.rate,
      durationMs,
      requests,
      latency: latency.summary(),
      serviceTime: serviceTime.summary(),
      projectionLag: lag.summary(),
      errorRate,
      ...(startMemory && endMemory ? { serverMemory: { startMb: startMemory.rssMb, endMb: endMemory.rssMb, peakMb: endMemory.peakRssMb } } : {}),
      thresholds: [],
      targets: [],
      passed: true,
    };
    report.thresholds = verdicts(definition.thresholds, report);
    report.targets = verdicts(definition.targets, report);
    report.passed = report.thresholds.every((verdict) => verdict.passed);
    return report;
  } finally {
    client.close();
    probe.close();
  }
}

function verdicts(limits: Partial<ScenarioThresholds>, report: LoadReport): ThresholdVerdict[] {
  const out: ThresholdVerdict[] = [];
  const check = (name: string, limit: number | undefined, actual: number): void => {
    if (limit !== undefined) out.push({ name, limit, actual, passed: actual < limit || (limit === 0 && actual === 0) });
  };
  check('http p(99) ms', limits.p99Ms, report.latency.p99Ms);
  check('error rate', limits.maxErrorRate, report.errorRate);
  if (report.projectionLag.count > 0 || limits.projectionLagP99Ms === undefined) {
    check('projection lag p(99) ms', limits.projectionLagP99Ms, report.projectionLag.p99Ms);
  } else {
    out.push({ name: 'projection lag p(99) ms', limit: limits.projectionLagP99Ms, actual: Number.NaN, passed: false });
  }
  return out;
}

/** How long polls wait for a probe order before giving up on it (it then counts as not seen). */
const LAG_PROBE_GIVE_UP_MS = 10_000;
const LAG_PROBE_POLL_MS = 2;

/**
 * Places one order and polls `GET /api/queries/orders/{id}` until the projection has it: the time
 * from the command's 202 (the append committed) to the first 200, as a user of the API sees it.
 * Undefined when the command fails or the order does not show within {@link LAG_PROBE_GIVE_UP_MS}.
 */
async function projectionLagMs(probe: HttpLoadClient, orderId: string): Promise<number | undefined> {
  try {
    const placed = await probe.send('POST', '/api/commands/PlaceOrder', placeOrderBody(orderId, 'lag-probe'));
    if (placed.status !== 202) return undefined;
    const acceptedAt = performance.now();
    while (performance.now() - acceptedAt < LAG_PROBE_GIVE_UP_MS) {
      const { status } = await probe.send('GET', `/api/queries/orders/${orderId}`);
      if (status === 200) return performance.now() - acceptedAt;
      if (status !== 404) return undefined;
      await new Promise((r) => setTimeout(r, LAG_PROBE_POLL_MS));
    }
    return undefined;
  } catch {
    return undefined;
  }
}
