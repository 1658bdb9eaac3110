import { LatencyHistogram } from './LatencyHistogram';
import { definedOnly } from '../../core/options/definedOnly';

/** What one request reported. */
export interface RequestOutcome {
  /** Did the response pass the scenario's check (e.g. status 202)? */
  ok: boolean;
  /** HTTP status, or 0 when the request failed before a response. */
  status: number;
}

/** Options of {@link runConstantArrivalRate}. */
export interface ConstantArrivalRateOptions {
  /** Requests started per second, whatever the responses do. */
  ratePerSecond: number;
  durationMs: number;
  /**
   * Requests allowed in flight; a request due while this many are pending is dropped and
   * counted (k6's `dropped_iterations`), never delayed.
   * @defaultValue 200
   */
  maxInFlight?: number;
  /** How often the scheduler wakes to start the requests that fell due. @defaultValue 1 */
  tickMs?: number;
}

const DEFAULTS = { maxInFlight: 200, tickMs: 1 };

/** What a run measured. */
export interface ArrivalRateResult {
  /** Requests that fell due (started + dropped). */
  scheduled: number;
  started: number;
  dropped: number;
  ok: number;
  failed: number;
  /** Status code -> count (0 = no response). */
  statuses: Record<string, number>;
  /** From the request's scheduled start to its response: includes any queueing, as users see it. */
  latency: LatencyHistogram;
  /** From the request's actual send to its response. */
  serviceTime: LatencyHistogram;
  elapsedMs: number;
  /** Requests started per second of wall time. */
  achievedRate: number;
}

/**
 * An open-model load generator: request `i` is due at `start + i / rate`, fixed in advance, so
 * slow responses do not lower the offered load (no coordinated omission). Latency is measured
 * from the due time, not the send time, so a stalled scheduler or server shows up in the
 * percentiles instead of hiding. Waits for the requests in flight before resolving.
 *
 * @example
 * const result = await runConstantArrivalRate({ ratePerSecond: 1000, durationMs: 30_000 }, (i) => client.postJson(...));
 */
export async function runConstantArrivalRate(
  options: ConstantArrivalRateOptions,
  send: (index: number) => Promise<RequestOutcome>,
): Promise<ArrivalRateResult> {
  const { ratePerSecond, durationMs } = options;
  const { maxInFlight, tickMs } = { ...DEFAULTS, ...definedOnly(options) };
  if (!(ratePerSecond > 0) || !(durationMs > 0)) throw new RangeError('ratePerSecond and durationMs must be positive');
  const total = Math.floor((ratePerSecond * durationMs) / 1000);
  const intervalMs = 1000 / ratePerSecond;
  const result: ArrivalRateResult = {
    scheduled: 0,
    started: 0,
    dropped: 0,
    ok: 0,
    failed: 0,
    statuses: {},
    latency: new LatencyHistogram(),
    serviceTime: new LatencyHistogram(),
    elapsedMs: 0,
    achievedRate: 0,
  };
  const pending = new Set<Promise<void>>();
  const startedAt = performance.now();

  const fire = (index: number, dueAt: number): void => {
    result.scheduled += 1;
    if (pending.size >= maxInFlight) {
      result.dropped += 1;
      return;
    }
    result.started += 1;
    const sentAt = performance.now();
    const request = send(index)
      .catch((): RequestOutcome => ({ ok: false, status: 0 }))
      .then((outcome) => {
        const doneAt = performance.now();
        result.latency.record(doneAt - dueAt);
        result.serviceTime.record(doneAt - sentAt);
        result.statuses[outcome.status] = (result.statuses[outcome.status] ?? 0) + 1;
        if (outcome.ok) result.ok += 1;
        else result.failed += 1;
        pending.delete(request);
      });
    pending.add(request);
  };

  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Start everything that fell due, late ones included: the schedule never slips.
    while (next < total && startedAt + next * intervalMs <= now) {
      fire(next, startedAt + next * intervalMs);
      next += 1;
    }
    if (next < total) await sleep(Math.min(tickMs, Math.max(0, startedAt + next * intervalMs - performance.now())));
  }
  const sendingMs = performance.now() - startedAt;
  while (pending.size > 0) await Promise.all([...pending]);
  result.elapsedMs = performance.now() - startedAt;
  result.achievedRate = sendingMs > 0 ? (result.started * 1000) / Math.max(sendingMs, durationMs) : 0;
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
