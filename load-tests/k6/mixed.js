// k6 run -e TOKEN=... [-e BASE_URL=...] [-e RATE=1000 -e DURATION=30s] load-tests/k6/mixed.js
// Commands and queries interleaved (commandShare of scenarios.json), plus the projection-lag probe.
import exec from 'k6/execution';
import { SCENARIOS, arrivalScenario, lagProbeScenario, placeOrder, queryOrders, seedOrders, thresholdsOf } from './common.js';

export { probeLag } from './common.js';

export const options = {
  scenarios: { mixed: arrivalScenario('mixed', 'request'), lag: lagProbeScenario('mixed') },
  thresholds: { ...thresholdsOf('mixed', 'command'), ...thresholdsOf('mixed', 'query') },
  setupTimeout: '120s',
};

const RUN = Date.now().toString(36);
const SHARE = SCENARIOS.mixed.commandShare;

export function setup() {
  return seedOrders(SCENARIOS.mixed.seedOrders);
}

// The same deterministic interleaving as `npm run load -- --scenario mixed`.
export function request(data) {
  const index = exec.scenario.iterationInTest;
  if (Math.floor((index + 1) * SHARE) > Math.floor(index * SHARE)) placeOrder(`k6-${RUN}-${index}`, `customer-${index % 50}`);
  else queryOrders(index, data.ids);
}
