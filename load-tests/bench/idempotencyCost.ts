import { randomUUID } from 'node:crypto';
import { runConstantArrivalRate } from '../loadgen/ConstantArrivalRate';
import type { RequestOutcome } from '../loadgen/ConstantArrivalRate';
import { HttpLoadClient } from '../loadgen/HttpLoadClient';
import { LatencyHistogram } from '../loadgen/LatencyHistogram';
import type { LatencySummary } from '../loadgen/LatencyHistogram';
import { processCpuMs, startNexusServer } from '../loadgen/NexusServer';
import { placeOrderBody } from '../loadgen/scenarios';
import { waitForPipelines } from './waitForPipelines';
import { definedOnly } from '../../core/options/definedOnly';

/** Tunables of {@link measureIdempotencyCost}. */
export interface IdempotencyCostOptions {
  /**
   * Offered PlaceOrder rate of every block, both sides: below the knee, so that the difference is
   * the header's cost and not queueing at saturation. @defaultValue 500
   */
  ratePerSecond?: number;
  /** Length of one block. @defaultValue 3000 */
  blockMs?: number;
  /** Blocks per side; the sides take turns A B B A ... @defaultValue 4 */
  blocksPerSide?: number;
  /** A discarded run before the blocks, half of its requests with a key. @defaultValue 2000 */
  warmUpMs?: number;
  /** @defaultValue 256 */
  maxInFlight?: number;
}

/** Defaults of {@link IdempotencyCostOptions}. */
export const IDEMPOTENCY_COST_DEFAULTS: Required<IdempotencyCostOptions> = {
  ratePerSecond: 500,
  blockMs: 3_000,
  blocksPerSide: 4,
  warmUpMs: 2_000,
  maxInFlight: 256,
};

/** One run: PlaceOrder latency with a fresh `Idempotency-Key` per request and without one. */
export interface IdempotencyCostRun {
  withoutKey: LatencySummary;
  withKey: LatencySummary;
  /** Failed or dropped requests per side. */
  withoutKeyFailed: number;
  withKeyFailed: number;
  /** Status code -> count per side (0: no response), and `dropped`: not sent, too many in flight. */
  withoutKeyStatuses: Record<string, number>;
  withKeyStatuses: Record<string, number>;
  /** CPU time of the server process (all threads) per request started, in microseconds, per side. */
  withoutKeyServerCpuUs: number;
  withKeyServerCpuUs: number;
  /**
   * Whether the server honoured the header: the same key and body sent twice were both accepted
   * (the second a replay). False means the header was ignored (the second PlaceOrder of the same
   * order is refused), and the two sides measure the same thing.
   */
  keyHonoured: boolean;
}

/** The header the IETF httpapi draft names; its value here is a fresh UUID per request. */
const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * The cost of an `Idempotency-Key` on PlaceOrder: one Nexus server (`npm start` equivalent, a
 * child process), this process generating the load at a fixed rate (open model, latency from
 * each request's scheduled start). The two sides run in alternating blocks (A B B A ...) on the
 * same server, so that warm-up, a growing database and machine drift fall on both alike; each
 * side's blocks are merged into one histogram. Between blocks the pipelines catch up.
 */
export async function measureIdempotencyCost(options: IdempotencyCostOptions = {}): Promise<IdempotencyCostRun> {
  const settings = { ...IDEMPOTENCY_COST_DEFAULTS, ...definedOnly(options) };
  const server = await startNexusServer();
  const client = new HttpLoadClient(server.baseUrl, { token: server.token, maxSockets: settings.maxInFlight });
  const runId = Date.now().toString(36);
  const placeOrder = async (orderId: string, withKey: boolean): Promise<RequestOutcome> => {
    const { status } = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(orderId, 'customer-1'), withKey ? { [IDEMPOTENCY_HEADER]: randomUUID() } : undefined);
    return { ok: status === 202, status };
  };
  try {
    const arrivals = { maxInFlight: settings.maxInFlight, ratePerSecond: settings.ratePerSecond };
    await runConstantArrivalRate({ ...arrivals, durationMs: settings.warmUpMs }, (index) => placeOrder(`iw-${runId}-${index}`, index % 2 === 0));
    const keyHonoured = await probeReplay(client, `ip-${runId}`);
    const sides: [Side, Side] = [
      { latency: new LatencyHistogram(), failed: 0, statuses: {}, started: 0, serverCpuMs: 0 },
      { latency: new LatencyHistogram(), failed: 0, statuses: {}, started: 0, serverCpuMs: 0 },
    ];
    for (let block = 0; block < 2 * settings.blocksPerSide; block += 1) {
      await waitForPipelines(client, 10_000);
      // A B B A: each side goes first and second equally often.
      const withKey = block % 4 === 1 || block % 4 === 2;
      const cpuBefore = processCpuMs(server.pid) ?? Number.NaN;
      const result = await runConstantArrivalRate({ ...arrivals, durationMs: settings.blockMs }, (index) => placeOrder(`i-${runId}-${block}-${index}`, withKey));
      const side = sides[withKey ? 1 : 0];
      side.serverCpuMs += (processCpuMs(server.pid) ?? Number.NaN) - cpuBefore;
      side.started += result.started;
      side.latency.merge(result.latency);
      side.failed += result.failed + result.dropped;
      for (const [status, count] of Object.entries({ ...result.statuses, dropped: result.dropped })) side.statuses[status] = (side.statuses[status] ?? 0) + count;
    }
    const [without, withKey] = sides;
    return {
      withoutKey: without.latency.summary(),
      withKey: withKey.latency.summary(),
      withoutKeyFailed: without.failed,
      withKeyFailed: withKey.failed,
      withoutKeyStatuses: without.statuses,
      withKeyStatuses: withKey.statuses,
      withoutKeyServerCpuUs: (without.serverCpuMs * 1000) / Math.max(1, without.started),
      withKeyServerCpuUs: (withKey.serverCpuMs * 1000) / Math.max(1, withKey.started),
      keyHonoured,
    };
  } finally {
    client.close();
    await server.stop();
  }
}

interface Side {
  latency: LatencyHistogram;
  failed: number;
  statuses: Record<string, number>;
  started: number;
  serverCpuMs: number;
}

/** Sends one PlaceOrder twice with the same key: a server that honours the key accepts both. */
async function probeReplay(client: HttpLoadClient, orderId: string): Promise<boolean> {
  const headers = { [IDEMPOTENCY_HEADER]: randomUUID() };
  const first = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(orderId, 'customer-1'), headers);
  const second = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(orderId, 'customer-1'), headers);
  return first.status === 202 && second.status === 202;
}
