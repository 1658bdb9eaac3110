import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { startNexusServer } from '../../load-tests/loadgen/NexusServer';
import type { NexusServer } from '../../load-tests/loadgen/NexusServer';
import { runScenario } from '../../load-tests/loadgen/runScenario';
import { SCENARIO_NAMES, loadScenarioFile } from '../../load-tests/loadgen/scenarios';

// The CI smoke of the load tests: a few seconds at a low rate, so that the generator, the
// scenario file and the k6 scripts cannot rot. Timings are reported, never asserted.

jest.setTimeout(120_000);

const K6_DIR = resolve(__dirname, '..', '..', 'load-tests', 'k6');
let server: NexusServer;

beforeAll(async () => {
  server = await startNexusServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('load smoke', () => {
  it('runs the commands scenario at a low constant rate and checks every response', async () => {
    // given
    const definition = { ...loadScenarioFile().commands, rate: 40, duration: '2s' };

    // when
    const report = await runScenario('commands', definition, { baseUrl: server.baseUrl, token: server.token, memory: server.memory }, 100);

    // then
    expect(report.requests.scheduled).toBe(80);
    expect(report.requests.ok + report.requests.failed + report.requests.dropped).toBe(80);
    expect(report.requests.statuses['202']).toBe(report.requests.ok);
    expect(report.requests.failed).toBe(0);
    expect(report.latency.count).toBe(report.requests.started);
    expect(report.thresholds.map((verdict) => verdict.name)).toEqual(['http p(99) ms', 'error rate']);
    expect(report.serverMemory?.peakMb).toBeGreaterThan(0);
  });

  it('runs the mixed scenario with seeded orders and samples the projection lag', async () => {
    // given
    const definition = { ...loadScenarioFile().mixed, rate: 40, duration: '2s', seedOrders: 10 };

    // when
    const report = await runScenario('mixed', definition, { baseUrl: server.baseUrl, token: server.token }, 100);

    // then
    expect(report.requests.failed).toBe(0);
    expect(report.requests.statuses['202']).toBeGreaterThan(0);
    expect(report.requests.statuses['200']).toBeGreaterThan(0);
    expect(report.projectionLag.count).toBeGreaterThan(0);
    expect(report.thresholds.map((verdict) => verdict.name)).toContain('projection lag p(99) ms');
  });

  it('keeps the k6 scripts parseable and pointed at scenarios that exist', () => {
    // given
    const scripts = readdirSync(K6_DIR).filter((file) => file.endsWith('.js'));
    const scenarios = loadScenarioFile();

    // when
    const problems = scripts.flatMap((file) => {
      const source = readFileSync(join(K6_DIR, file), 'utf8');
      const parsed = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, allowJs: true } });
      const syntax = (parsed.diagnostics ?? []).map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      const named = [...source.matchAll(/(?:arrivalScenario|lagProbeScenario|thresholdsOf)\('(\w+)'/g)].map((m) => m[1] ?? '');
      return [...syntax, ...named.filter((name) => !(name in scenarios)).map((name) => `${file}: unknown scenario ${name}`)];
    });

    // then
    expect(scripts.sort()).toEqual(['commands.js', 'common.js', 'mixed.js', 'queries.js']);
    expect(problems).toEqual([]);
    for (const name of SCENARIO_NAMES) expect(scripts).toContain(`${name}.js`);
  });
});
