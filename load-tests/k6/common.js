/* global open, __ENV, __VU, __ITER */
// Shared by commands.js, queries.js and mixed.js (k6, not Node): scenario definitions from
// ../scenarios.json (the same file `npm run load` reads), thresholds = the service levels of docs/architecture.md.
//
// Environment: BASE_URL (default http://127.0.0.1:3000; a deployed API's URL), TOKEN (bearer token,
// required: `npm run -s token -- --role admin --sub k6 --data-dir <dir>` locally, the identity
// provider's on AWS; NEXUS_TOKEN is accepted too), RATE and DURATION override the file.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Trend } from 'k6/metrics';

export const SCENARIOS = JSON.parse(open('../scenarios.json'));
export const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:3000';
const TOKEN = __ENV.TOKEN || __ENV.NEXUS_TOKEN;
if (!TOKEN) throw new Error('set TOKEN to a bearer token (npm run -s token -- --role admin --sub k6)');

export const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
export const projectionLag = new Trend('projection_lag_ms', true);

/** A constant-arrival-rate scenario (open model) from the named scenario definition. */
export function arrivalScenario(name, exec) {
  const definition = SCENARIOS[name];
  return {
    executor: 'constant-arrival-rate',
    exec,
    rate: Number(__ENV.RATE || definition.rate),
    timeUnit: '1s',
    duration: __ENV.DURATION || definition.duration,
    preAllocatedVUs: Math.min(definition.maxInFlight, 50),
    maxVUs: definition.maxInFlight,
  };
}

/** Reads the order-list pipeline's lag from /health into the projection_lag_ms trend. */
export function lagProbeScenario(name) {
  return {
    executor: 'constant-arrival-rate',
    exec: 'probeLag',
    rate: Math.max(1, Math.round(1000 / SCENARIOS.lagProbeIntervalMs)),
    timeUnit: '1s',
    duration: __ENV.DURATION || SCENARIOS[name].duration,
    preAllocatedVUs: 2,
    maxVUs: 4,
  };
}

/** k6 thresholds from the scenario's service levels; `tag` selects the requests they apply to. */
export function thresholdsOf(name, tag) {
  const limits = SCENARIOS[name].thresholds;
  const thresholds = {
    [`http_req_duration{kind:${tag}}`]: [`p(99)<${limits.p99Ms}`],
    checks: [`rate>${1 - limits.maxErrorRate}`],
    dropped_iterations: [`count<${Math.ceil(limits.maxErrorRate * Number(__ENV.RATE || SCENARIOS[name].rate) * durationSeconds(__ENV.DURATION || SCENARIOS[name].duration))}`],
  };
  if (limits.projectionLagP99Ms !== undefined) thresholds.projection_lag_ms = [`p(99)<${limits.projectionLagP99Ms}`];
  return thresholds;
}

/** Seconds of a k6 duration such as 500ms, 30s, 5m or 1h30m (`ms` before `m`: 500ms is not 500 minutes). */
function durationSeconds(text) {
  const units = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let seconds = 0;
  let matched = '';
  for (const [part, amount, unit] of String(text).matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    seconds += Number(amount) * units[unit];
    matched += part;
  }
  if (seconds <= 0 || matched !== String(text).trim()) throw new Error(`duration "${text}" is not a k6 duration such as 500ms, 30s or 5m`);
  return seconds;
}

export function placeOrder(orderId, customerId) {
  const body = JSON.stringify({ orderId, customerId, items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' });
  const response = http.post(`${BASE_URL}/api/commands/PlaceOrder`, body, { headers: HEADERS, tags: { kind: 'command' } });
  check(response, { 'command accepted (202)': (r) => r.status === 202 });
  return response;
}

export function queryOrders(index, orderIds) {
  const path =
    index % 4 === 0
      ? `/api/queries/orders?customerId=customer-${index % 50}&sort=createdAt&order=desc&limit=20`
      : `/api/queries/orders/${orderIds[index % orderIds.length]}`;
  const response = http.get(`${BASE_URL}${path}`, { headers: HEADERS, tags: { kind: 'query' } });
  check(response, { 'query answered (200)': (r) => r.status === 200 });
  return response;
}

/** Places `count` orders before the load starts, so that queries have something to read. */
export function seedOrders(count) {
  const run = Date.now().toString(36);
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    const id = `seed-${run}-${i}`;
    const response = placeOrder(id, `customer-${i % 50}`);
    if (response.status !== 202) throw new Error(`seeding ${id} answered ${response.status}`);
    ids.push(id);
  }
  // Reads are eventually consistent: wait until the projection shows every seeded order, or the
  // first queries would count 404s as errors.
  const deadline = Date.now() + 30000;
  for (const id of ids) {
    for (;;) {
      const read = http.get(`${BASE_URL}/api/queries/orders/${id}`, { headers: HEADERS, tags: { kind: 'seed' } });
      if (read.status === 200) break;
      if (read.status !== 404 || Date.now() > deadline) throw new Error(`seeded order ${id} is not readable (last answer ${read.status})`);
      sleep(0.005);
    }
  }
  return { ids };
}

// End-to-end projection lag: an order of the probe's own, then polled on the query API until the
// projection has it; from the command's 202 (the append committed) to the first 200.
export function probeLag() {
  const orderId = `lag-${__VU}-${__ITER}-${Date.now()}`;
  const body = JSON.stringify({ orderId, customerId: 'lag-probe', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 1 }], currency: 'EUR' });
  const placed = http.post(`${BASE_URL}/api/commands/PlaceOrder`, body, { headers: HEADERS, tags: { kind: 'probe' } });
  if (placed.status !== 202) return;
  const acceptedAt = Date.now();
  while (Date.now() - acceptedAt < 10000) {
    const read = http.get(`${BASE_URL}/api/queries/orders/${orderId}`, { headers: HEADERS, tags: { kind: 'probe' } });
    if (read.status === 200) {
      projectionLag.add(Date.now() - acceptedAt);
      return;
    }
    if (read.status !== 404) return;
    sleep(0.002);
  }
}
