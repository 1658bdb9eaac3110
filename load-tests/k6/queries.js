// k6 run -e TOKEN=... [-e BASE_URL=...] [-e RATE=1000 -e DURATION=30s] load-tests/k6/queries.js
// Order reads (by id, and filtered lists) at a constant arrival rate over seeded orders.
import exec from 'k6/execution';
import { SCENARIOS, arrivalScenario, queryOrders, seedOrders, thresholdsOf } from './common.js';

export const options = {
  scenarios: { queries: arrivalScenario('queries', 'query') },
  thresholds: thresholdsOf('queries', 'query'),
  setupTimeout: '120s',
};

export function setup() {
  return seedOrders(SCENARIOS.queries.seedOrders);
}

export function query(data) {
  queryOrders(exec.scenario.iterationInTest, data.ids);
}
