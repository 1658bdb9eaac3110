import { runConstantArrivalRate } from '../loadgen/ConstantArrivalRate';
import { HttpLoadClient } from '../loadgen/HttpLoadClient';
import { startNexusServer } from '../loadgen/NexusServer';
import { placeOrderBody } from '../loadgen/scenarios';

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 300);
  const server = await startNexusServer({ nodeArgs: (process.env.NODE_ARGS ?? '').split(' ').filter(Boolean) });
  const client = new HttpLoadClient(server.baseUrl, { token: server.token, maxSockets: 256 });
  const runId = Date.now().toString(36);
  const send = async (step: number, index: number) => {
    const { status } = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(`k-${runId}-${step}-${index}`, 'customer-1'));
    return { ok: status === 202, status };
  };
  await runConstantArrivalRate({ ratePerSecond: rate, durationMs: 8000, maxInFlight: 256 }, (i) => send(-1, i));
  for (let s = 0; s < 3; s++) {
    const r = await runConstantArrivalRate({ ratePerSecond: rate, durationMs: 4000, maxInFlight: 256 }, (i) => send(s, i));
    const l = r.latency.summary(); const st = r.serviceTime.summary();
    console.log(JSON.stringify({ rate, p50: l.p50Ms, p99: l.p99Ms, max: l.maxMs, svcP99: st.p99Ms, failed: r.failed }));
    await new Promise((res) => setTimeout(res, 1000));
  }
  client.close();
  const out = server.output();
  await server.stop();
  if (process.env.SHOW_OUT) console.log(out.slice(-6000));
}
void main();
