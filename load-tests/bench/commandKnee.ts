import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../../core/auth/mintToken';
import { runConstantArrivalRate } from '../loadgen/ConstantArrivalRate';
import type { RequestOutcome } from '../loadgen/ConstantArrivalRate';
import { HttpLoadClient } from '../loadgen/HttpLoadClient';
import { processCpuMs, startNexusServer } from '../loadgen/NexusServer';
import { placeOrderBody } from '../loadgen/scenarios';
import { startBareRouteServer } from './bareRouteServer';
import { KNEE_SEARCH_DEFAULTS, nextKneeStep, stepHolds } from './kneeSearch';
import type { KneeSearchOptions, KneeStep } from './kneeSearch';
import { waitForPipelines } from './waitForPipelines';
import { definedOnly } from '../../core/options/definedOnly';
import { pipelines as declaredPipelines } from '../../pipelines';
import { runsSagas } from '../../core/pipeline/selectPipelines';

/** Tunables of {@link measureCommandKnee}: the search's, plus how long each step lasts. */
export interface CommandKneeOptions extends KneeSearchOptions {
  /** Length of one step at one offered rate. @defaultValue 2500 */
  stepMs?: number;
  /** A discarded run at the start rate before the search (JIT, caches, sockets). @defaultValue 2000 */
  warmUpMs?: number;
  /** Pause after each step, after the pipelines have caught up. @defaultValue 300 */
  settleMs?: number;
  /** Longest wait for the pipelines to catch up after a step. @defaultValue 10000 */
  drainTimeoutMs?: number;
  /** Requests in flight before the generator drops one (a dropped request fails the step). @defaultValue 256 */
  maxInFlight?: number;
}

/** Defaults of {@link CommandKneeOptions}. */
export const COMMAND_KNEE_DEFAULTS: Required<CommandKneeOptions> = {
  ...KNEE_SEARCH_DEFAULTS,
  stepMs: 2_500,
  warmUpMs: 2_000,
  settleMs: 300,
  drainTimeoutMs: 10_000,
  maxInFlight: 256,
};

/** One measured step, with what the search needs and what a reader wants to see. */
export interface KneeStepRecord extends KneeStep {
  phase: 'ramp' | 'bisect';
  p50Ms: number;
  achievedRate: number;
  /**
   * CPU time per request started during the step, in microseconds: of the server process (all
   * its threads, the pipeline worker included) and of this load-generating process. They share
   * the machine's cores, so a generator that costs as much as the server bounds the knee too.
   */
  serverCpuUsPerRequest: number;
  generatorCpuUsPerRequest: number;
  /** Status code -> count (0: no response), and `dropped`: not sent, too many in flight. */
  statuses: Record<string, number>;
}

/** The outcome of one knee search against one server. */
export interface KneeResult {
  /** Highest offered rate whose p99 held below the limit with nothing failed (req/s); 0 when none did. */
  knee: number;
  firstBad: number | undefined;
  /** The ramp reached the maximum rate without a failure: `knee` is a lower bound. */
  capped: boolean;
  steps: KneeStepRecord[];
  /** The step measured at the knee; undefined when no step held. */
  kneeStep: KneeStepRecord | undefined;
}

/**
 * One run of the knee bench, every side searched the same way: Nexus PlaceOrder with the pipelines
 * of the command path (router and projections, as issue 8 measured it), the same with the example
 * saga running too (each order with lines then costs about twelve appends), and the bare route.
 */
export interface CommandKneeRun {
  placeOrder: KneeResult;
  placeOrderWithSaga: KneeResult;
  /** The floor: the bare route plus token verification and the body group-committed to SQLite. */
  durableRoute: KneeResult;
  bareRoute: KneeResult;
}

/** First rate (and warm-up rate) of the search with the saga running, in req/s. */
const SAGA_START_RATE = 50;

/** The declared pipelines but the saga ones: what `placeOrder` runs (`--pipelines`). */
export const PIPELINES_WITHOUT_SAGAS: readonly string[] = declaredPipelines.filter((pipeline) => !runsSagas([pipeline])).map((pipeline) => pipeline.name);

/** What a knee search sends and how it waits between steps. */
interface KneeTarget {
  /** The server process, whose CPU time each step records. */
  pid: number;
  send(step: number, index: number): Promise<RequestOutcome>;
  settle(): Promise<void>;
}

/**
 * The highest PlaceOrder rate that keeps p99 under the limit, and the same for a bare Hono route
 * as the baseline, in one run. Each server runs alone in a child process (the other is not
 * started yet or already stopped), this process generating the load: open model, latency from
 * each request's scheduled start. Both get the same requests (same body, same bearer token) and
 * the same schedule; `bareRouteFirst` alternates which goes first across runs, so that drift of a
 * shared machine does not favour one side. A fresh Nexus server (and data directory) per run.
 */
export async function measureCommandKnee(options: CommandKneeOptions = {}, bareRouteFirst = false, onStep?: (target: string, step: KneeStepRecord) => void): Promise<CommandKneeRun> {
  const settings = { ...COMMAND_KNEE_DEFAULTS, ...definedOnly(options) };
  const report = (target: string) => (step: KneeStepRecord) => onStep?.(target, step);
  const placeOrder = (): Promise<KneeResult> => searchPlaceOrderKnee(settings, ['--pipelines', PIPELINES_WITHOUT_SAGAS.join(',')], report('PlaceOrder'));
  // The saga side starts low: each order costs the worker about twelve appends, and a warm-up at
  // the usual start rate leaves a backlog that every later step would be measuring.
  const sagaSettings = { ...settings, startRate: Math.min(settings.startRate, SAGA_START_RATE) };
  const placeOrderWithSaga = (): Promise<KneeResult> => searchPlaceOrderKnee(sagaSettings, [], report('PlaceOrder with the saga'));
  const durableRoute = (): Promise<KneeResult> => searchBareRouteKnee(settings, report('durable route'), true);
  if (bareRouteFirst) {
    const bareRoute = await searchBareRouteKnee(settings, report('bare route'));
    const durable = await durableRoute();
    const withSaga = await placeOrderWithSaga();
    return { placeOrder: await placeOrder(), placeOrderWithSaga: withSaga, durableRoute: durable, bareRoute };
  }
  const first = await placeOrder();
  const withSaga = await placeOrderWithSaga();
  const durable = await durableRoute();
  return { placeOrder: first, placeOrderWithSaga: withSaga, durableRoute: durable, bareRoute: await searchBareRouteKnee(settings, report('bare route')) };
}

/** A fresh Nexus server (`npm start -- <serverArgs>`) and data directory; PlaceOrder of new orders. */
async function searchPlaceOrderKnee(settings: Required<CommandKneeOptions>, serverArgs: string[], onStep: (step: KneeStepRecord) => void): Promise<KneeResult> {
  const server = await startNexusServer({ serverArgs });
  const client = new HttpLoadClient(server.baseUrl, { token: server.token, maxSockets: settings.maxInFlight });
  const runId = Date.now().toString(36);
  const send = async (step: number, index: number): Promise<RequestOutcome> => {
    const { status } = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(`k-${runId}-${step}-${index}`, 'customer-1'));
    return { ok: status === 202, status };
  };
  try {
    return await searchKnee({ pid: server.pid, send, settle: () => settleNexus(client, settings) }, settings, onStep);
  } finally {
    client.close();
    await server.stop();
  }
}

/**
 * The bare route server in its own process; the same requests as PlaceOrder gets. `durable`: the
 * route verifies the token and group-commits each body to SQLite in a fresh directory (the floor).
 */
async function searchBareRouteKnee(settings: Required<CommandKneeOptions>, onStep: (step: KneeStepRecord) => void, durable = false): Promise<KneeResult> {
  // A token minted as Nexus's is: the same request bytes on the wire (the bare route never reads it).
  const secret = randomBytes(32).toString('hex');
  const token = await mintDevelopmentToken(secret, { subject: 'load-test', roles: ['admin'], ttl: '12h' });
  const dir = durable ? mkdtempSync(join(tmpdir(), 'nexus-durable-route-')) : undefined;
  const server = await startBareRouteServer(undefined, dir === undefined ? { kind: 'bare' } : { kind: 'durable', file: join(dir, 'commands.db'), secret });
  const client = new HttpLoadClient(server.baseUrl, { token, maxSockets: settings.maxInFlight });
  const send = async (step: number, index: number): Promise<RequestOutcome> => {
    const { status } = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(`k-${step}-${index}`, 'customer-1'));
    return { ok: status === 202, status };
  };
  try {
    return await searchKnee({ pid: server.pid, send, settle: () => sleep(settings.settleMs) }, settings, onStep);
  } finally {
    client.close();
    await server.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Warms the target up, then measures the steps {@link nextKneeStep} asks for until it has the knee. */
async function searchKnee(target: KneeTarget, settings: Required<CommandKneeOptions>, onStep: (step: KneeStepRecord) => void): Promise<KneeResult> {
  await runConstantArrivalRate({ ratePerSecond: settings.startRate, durationMs: settings.warmUpMs, maxInFlight: settings.maxInFlight }, (index) => target.send(-1, index));
  await target.settle();
  const steps: KneeStepRecord[] = [];
  for (let decision = nextKneeStep(steps, settings); ; decision = nextKneeStep(steps, settings)) {
    if (decision.done) {
      const { knee, firstBad, capped } = decision;
      return { knee, firstBad, capped, steps, kneeStep: steps.find((step) => step.rate === knee && stepHolds(step, settings.p99LimitMs)) };
    }
    const stepIndex = steps.length;
    const serverCpuBefore = processCpuMs(target.pid) ?? Number.NaN;
    const generatorCpuBefore = process.cpuUsage();
    const result = await runConstantArrivalRate({ ratePerSecond: decision.rate, durationMs: settings.stepMs, maxInFlight: settings.maxInFlight }, (index) => target.send(stepIndex, index));
    const generatorCpu = process.cpuUsage(generatorCpuBefore);
    const serverCpuMs = (processCpuMs(target.pid) ?? Number.NaN) - serverCpuBefore;
    const latency = result.latency.summary();
    const started = Math.max(1, result.started);
    const step: KneeStepRecord = {
      rate: decision.rate,
      phase: decision.phase,
      p99Ms: latency.p99Ms,
      p50Ms: latency.p50Ms,
      failed: result.failed + result.dropped,
      achievedRate: result.achievedRate,
      serverCpuUsPerRequest: (serverCpuMs * 1000) / started,
      generatorCpuUsPerRequest: (generatorCpu.user + generatorCpu.system) / started,
      statuses: { ...result.statuses, ...(result.dropped > 0 ? { dropped: result.dropped } : {}) },
    };
    steps.push(step);
    onStep(step);
    await target.settle();
  }
}

/** Lets the pipelines catch up with the step (see {@link waitForPipelines}), then pauses. */
async function settleNexus(client: HttpLoadClient, settings: Required<CommandKneeOptions>): Promise<void> {
  await waitForPipelines(client, settings.drainTimeoutMs);
  await sleep(settings.settleMs);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
