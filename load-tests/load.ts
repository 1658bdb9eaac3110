/**
 * `npm run load -- --scenario commands --rate 1000 --duration 30s [--url http://host:port --token T] [--json out.json]`
 *
 * Runs one scenario of load-tests/scenarios.json with our open-model generator. Without --url it
 * starts the embedded system itself (child process, temp data directory, admin token) and stops
 * it afterwards. Prints a summary with the thresholds; exits 1 when one failed. The k6 scripts in
 * load-tests/k6/ run the same scenarios for those who have k6.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport } from './loadgen/formatReport';
import { startNexusServer } from './loadgen/NexusServer';
import type { NexusServer } from './loadgen/NexusServer';
import { runScenario } from './loadgen/runScenario';
import { SCENARIO_NAMES, loadScenarioFile, parseDuration } from './loadgen/scenarios';
import type { ScenarioName } from './loadgen/scenarios';
import { answerStandardOptions } from '../handlers/cli/standardOptions';

const USAGE = 'usage: npm run load -- [--scenario commands|queries|mixed] [--rate N] [--duration 30s] [--url URL --token JWT] [--json FILE]';

async function main(): Promise<number> {
  if (answerStandardOptions(process.argv.slice(2), USAGE)) return 0;
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      scenario: { type: 'string', default: 'commands' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'max-in-flight': { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const name = values.scenario as ScenarioName;
  if (!SCENARIO_NAMES.includes(name)) throw new UsageError(`unknown scenario ${values.scenario}`);
  const file = loadScenarioFile();
  const definition = { ...file[name] };
  if (values.rate !== undefined) definition.rate = positive('--rate', values.rate);
  if (values['max-in-flight'] !== undefined) definition.maxInFlight = positive('--max-in-flight', values['max-in-flight']);
  if (values.duration !== undefined) {
    parseDuration(values.duration);
    definition.duration = values.duration;
  }
  if ((values.url === undefined) !== (values.token === undefined)) throw new UsageError('--url and --token go together');

  let server: NexusServer | undefined;
  try {
    if (values.url === undefined) {
      process.stdout.write('starting the embedded system (child process, temp data directory)...\n');
      server = await startNexusServer();
    }
    const target = server ? { baseUrl: server.baseUrl, token: server.token, memory: server.memory } : { baseUrl: values.url ?? '', token: values.token ?? '' };
    const report = await runScenario(name, definition, target, file.lagProbeIntervalMs);
    process.stdout.write(`${formatReport(report)}\n`);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report.passed ? 0 : 1;
  } finally {
    await server?.stop();
  }
}

class UsageError extends Error {}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new UsageError(`${flag} must be a positive number; got "${text}"`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n${error instanceof UsageError || error instanceof RangeError ? `${USAGE}\n` : ''}`);
    process.exit(2);
  },
);
