import { runConstantArrivalRate } from '../loadgen/ConstantArrivalRate';
import { HttpLoadClient } from '../loadgen/HttpLoadClient';
import type { LatencySummary } from '../loadgen/LatencyHistogram';
import { startNexusServer } from '../loadgen/NexusServer';
import { placeOrderBody } from '../loadgen/scenarios';

const WARM_UP_MS = 2_000;

/** One run of PlaceOrder commands, and of GET /health at the same rate as the baseline. */
export interface CommandLatencyRun {
  command: LatencySummary;
  commandErrors: number;
  commandDropped: number;
  /** The HTTP stack alone (no auth, no work): the floor under the command latency. */
  health: LatencySummary;
  /** RSS of the server process after the run, and its peak (MB). */
  serverRssMb?: number;
  serverPeakRssMb?: number;
}

/**
 * The embedded server (`npm start` equivalent) in a child process; this process is the load
 * generator: PlaceOrder at `ratePerSecond` for `durationMs` (open model, latency from each
 * request's scheduled start), then GET /health at the same rate for the baseline. A fresh
 * server (and data directory) per run.
 */
export async function measureCommandLatency(ratePerSecond: number, durationMs: number, baselineMs: number): Promise<CommandLatencyRun> {
  const server = await startNexusServer();
  const client = new HttpLoadClient(server.baseUrl, { token: server.token, maxSockets: 256 });
  try {
    const runId = Date.now().toString(36);
    // A warm-up at the measured rate, so that JIT tiers, schema and token caches and the
    // connection pool are not what the run measures (the first second at 1,000 req/s is slower).
    await runConstantArrivalRate({ ratePerSecond, durationMs: WARM_UP_MS, maxInFlight: 256 }, (index) => placeOrder(client, `w-${runId}-${index}`));
    const commands = await runConstantArrivalRate({ ratePerSecond, durationMs, maxInFlight: 256 }, (index) => placeOrder(client, `c-${runId}-${index}`));
    const health = await runConstantArrivalRate({ ratePerSecond, durationMs: baselineMs, maxInFlight: 256 }, async () => {
      const { status } = await client.send('GET', '/health');
      return { ok: status === 200, status };
    });
    const memory = server.memory();
    return {
      command: commands.latency.summary(),
      commandErrors: commands.failed,
      commandDropped: commands.dropped,
      health: health.latency.summary(),
      ...(memory ? { serverRssMb: memory.rssMb, serverPeakRssMb: memory.peakRssMb } : {}),
    };
  } finally {
    client.close();
    await server.stop();
  }
}

async function placeOrder(client: HttpLoadClient, orderId: string): Promise<{ ok: boolean; status: number }> {
  const { status } = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(orderId, 'customer-1'));
  return { ok: status === 202, status };
}

