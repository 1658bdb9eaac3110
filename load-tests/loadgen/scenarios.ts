import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RequestOutcome } from './ConstantArrivalRate';
import type { HttpLoadClient } from './HttpLoadClient';

/** Names of the scenarios, as in load-tests/scenarios.json and load-tests/k6/<name>.js. */
export const SCENARIO_NAMES = ['commands', 'queries', 'mixed'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Service levels a run must meet (a failed one fails the run). */
export interface ScenarioThresholds {
  p99Ms: number;
  maxErrorRate: number;
  projectionLagP99Ms?: number;
}

/** One scenario of load-tests/scenarios.json. */
export interface ScenarioDefinition {
  rate: number;
  /** k6 style: `30s`, `2m`, `500ms`. */
  duration: string;
  maxInFlight: number;
  seedOrders?: number;
  commandShare?: number;
  thresholds: ScenarioThresholds;
  /** Our tighter embedded goals: reported, never failing a run. */
  targets: Partial<ScenarioThresholds>;
}

interface ScenarioFile {
  lagProbeIntervalMs: number;
  commands: ScenarioDefinition;
  queries: ScenarioDefinition;
  mixed: ScenarioDefinition;
}

/** The file the k6 scripts read too. */
export const SCENARIO_FILE = resolve(__dirname, '..', 'scenarios.json');

export function loadScenarioFile(file = SCENARIO_FILE): ScenarioFile {
  return JSON.parse(readFileSync(file, 'utf8')) as ScenarioFile;
}

/** `30s`, `2m`, `500ms`, `1h` -> milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new RangeError(`duration "${text}" must look like 500ms, 30s, 2m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** A PlaceOrder body like the k6 scripts send. */
export function placeOrderBody(orderId: string, customerId: string): Record<string, unknown> {
  return { orderId, customerId, items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' };
}

/** What a scenario sends: one request per call, chosen by the request's index. */
export type RequestMaker = (index: number) => Promise<RequestOutcome>;

/** Places `count` orders (sequentially) so that queries have something to read; returns their ids. */
export async function seedOrders(client: HttpLoadClient, runId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `seed-${runId}-${i}`;
    const response = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(id, `customer-${i % 50}`));
    if (response.status !== 202) throw new Error(`seeding order ${id} answered ${response.status}: ${response.body.slice(0, 200)}`);
    ids.push(id);
  }
  await untilReadable(client, ids);
  return ids;
}

/** How long seeding waits for the projection to show the seeded orders. */
const SEED_VISIBLE_WITHIN_MS = 30_000;

/**
 * Waits until every seeded order can be read: reads are eventually consistent, and a query
 * scenario that starts before the projection caught up would count the 404s as failures.
 */
async function untilReadable(client: HttpLoadClient, ids: readonly string[]): Promise<void> {
  const deadline = performance.now() + SEED_VISIBLE_WITHIN_MS;
  for (const id of ids) {
    for (;;) {
      const { status } = await client.send('GET', `/api/queries/orders/${id}`);
      if (status === 200) break;
      if (status !== 404 || performance.now() > deadline) throw new Error(`seeded order ${id} is not readable (last answer ${status})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** The request mix of `name`; `orderIds` are the seeded orders (queries, mixed). */
export function requestMaker(name: ScenarioName, definition: ScenarioDefinition, client: HttpLoadClient, runId: string, orderIds: readonly string[]): RequestMaker {
  const command = async (index: number): Promise<RequestOutcome> => {
    const { status } = await client.send('POST', '/api/commands/PlaceOrder', placeOrderBody(`load-${runId}-${index}`, `customer-${index % 50}`));
    return { ok: status === 202, status };
  };
  const query = async (index: number): Promise<RequestOutcome> => {
    // One in four requests lists (filtered, sorted); the others read one order by id.
    const path =
      index % 4 === 0
        ? `/api/queries/orders?customerId=customer-${index % 50}&sort=createdAt&order=desc&limit=20`
        : `/api/queries/orders/${orderIds[index % orderIds.length] ?? 'none'}`;
    const { status } = await client.send('GET', path);
    return { ok: status === 200, status };
  };
  if (name === 'commands') return command;
  if (name === 'queries') return query;
  const share = definition.commandShare ?? 0.2;
  // Deterministic interleaving: the same index always makes the same kind of request.
  return (index) => (Math.floor((index + 1) * share) > Math.floor(index * share) ? command(index) : query(index));
}
