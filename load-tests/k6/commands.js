// k6 run -e TOKEN=... [-e BASE_URL=http://127.0.0.1:3000] [-e RATE=1000 -e DURATION=30s] load-tests/k6/commands.js
// PlaceOrder at a constant arrival rate; thresholds: command p99 < 200 ms, checks, projection lag.
import exec from 'k6/execution';
import { arrivalScenario, lagProbeScenario, placeOrder, thresholdsOf } from './common.js';

export { probeLag } from './common.js';

export const options = {
  scenarios: { commands: arrivalScenario('commands', 'command'), lag: lagProbeScenario('commands') },
  thresholds: thresholdsOf('commands', 'command'),
};

const RUN = Date.now().toString(36);

export function command() {
  const index = exec.scenario.iterationInTest;
  placeOrder(`k6-${RUN}-${index}`, `customer-${index % 50}`);
}
