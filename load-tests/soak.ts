/**
 * `npm run soak -- [--scenario mixed] [--rate 300] [--duration 10m] [--sample 30s] [--json out.json]`
 *
 * Memory soak: runs one scenario at a constant arrival rate against a fresh embedded system and
 * samples the server's RSS at a fixed interval. Prints the series, the least-squares slope over
 * the second half of the run (after warm-up) in MB per minute, and the growth of the last
 * sample over the median of the second half's first quarter. A benchmark, not a test: it reports,
 * and exits 1 only when the load run itself failed a service level.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport } from './loadgen/formatReport';
import { startNexusServer } from './loadgen/NexusServer';
import { runScenario } from './loadgen/runScenario';
import { SCENARIO_NAMES, loadScenarioFile, parseDuration } from './loadgen/scenarios';
import type { ScenarioName } from './loadgen/scenarios';
import { answerStandardOptions } from '../handlers/cli/standardOptions';

const USAGE = `usage: npm run soak -- [--scenario ${SCENARIO_NAMES.join('|')}] [--rate 300] [--duration 10m] [--sample 30s] [--json FILE]

Memory soak: one scenario at a constant rate against a fresh embedded system, the server's RSS
sampled every --sample; prints the series and the growth over the second half of the run.`;

interface RssSample {
  atSeconds: number;
  rssMb: number;
  /** The HTTP thread's `process.memoryUsage()` in MB, from `/health`, when the server reports it. */
  heap?: Record<string, number>;
}

async function main(): Promise<number> {
  if (answerStandardOptions(process.argv.slice(2), USAGE)) return 0;
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      scenario: { type: 'string', default: 'mixed' },
      rate: { type: 'string', default: '300' },
      duration: { type: 'string', default: '10m' },
      sample: { type: 'string', default: '30s' },
      json: { type: 'string' },
    },
    strict: true,
  });
  const name = values.scenario as ScenarioName;
  if (!SCENARIO_NAMES.includes(name)) throw new Error(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}; got "${values.scenario}"`);
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate must be a positive number; got "${values.rate}"`);
  const sampleMs = parseDuration(values.sample);
  const definition = { ...loadScenarioFile()[name], rate, duration: values.duration };
  parseDuration(definition.duration);

  const server = await startNexusServer();
  const samples: RssSample[] = [];
  const startedAt = Date.now();
  const sample = (): void => {
    const memory = server.memory();
    if (!memory) return;
    const entry: RssSample = { atSeconds: Math.round((Date.now() - startedAt) / 1000), rssMb: memory.rssMb };
    samples.push(entry);
    void healthMemory(server.baseUrl).then((heap) => {
      if (heap) entry.heap = heap;
    });
  };
  sample();
  const sampler = setInterval(sample, sampleMs);
  try {
    const report = await runScenario(name, definition, { baseUrl: server.baseUrl, token: server.token, memory: server.memory });
    clearInterval(sampler);
    sample();
    const verdict = analyse(samples);
    process.stdout.write(`${formatReport(report)}\n\nRSS samples (s: MB): ${samples.map((s) => `${s.atSeconds}: ${s.rssMb.toFixed(0)}`).join(', ')}\n`);
    process.stdout.write(`heap used, HTTP thread / pipeline worker (s: MB): ${samples.map((s) => `${s.atSeconds}: ${s.heap?.heapUsed ?? '?'}/${s.heap?.pipelineWorkerHeapUsed ?? '?'}`).join(', ')}\n`);
    process.stdout.write(`heap reserved (heapTotal), HTTP thread + pipeline worker (s: MB): ${samples.map((s) => `${s.atSeconds}: ${((s.heap?.heapTotal ?? Number.NaN) + (s.heap?.pipelineWorkerHeapTotal ?? 0)).toFixed(0)}`).join(', ')}\n`);
    process.stdout.write(`second half: slope ${verdict.slopeMbPerMinute.toFixed(2)} MB/min, last sample ${verdict.growthPercent.toFixed(1)} % over the second half's start\n`);
    if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ report, samples, verdict }, null, 2)}\n`);
    return report.passed ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

/** The `memory` member of the server's `/health`, if it has one. */
async function healthMemory(baseUrl: string): Promise<Record<string, number> | undefined> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { memory?: Record<string, number> & { pipelineWorker?: { heapUsed: number; heapTotal: number } | null } };
    if (!body.memory) return undefined;
    const { pipelineWorker, ...memory } = body.memory;
    if (!pipelineWorker) return memory;
    return { ...memory, pipelineWorkerHeapUsed: pipelineWorker.heapUsed, pipelineWorkerHeapTotal: pipelineWorker.heapTotal };
  } catch {
    return undefined;
  }
}

/** Slope (least squares) and growth over the second half of the samples, after warm-up. */
function analyse(samples: RssSample[]): { slopeMbPerMinute: number; growthPercent: number } {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return { slopeMbPerMinute: 0, growthPercent: 0 };
  const meanX = half.reduce((sum, s) => sum + s.atSeconds, 0) / half.length;
  const meanY = half.reduce((sum, s) => sum + s.rssMb, 0) / half.length;
  const covariance = half.reduce((sum, s) => sum + (s.atSeconds - meanX) * (s.rssMb - meanY), 0);
  const variance = half.reduce((sum, s) => sum + (s.atSeconds - meanX) ** 2, 0);
  const head = half.slice(0, Math.max(1, Math.floor(half.length / 4))).map((s) => s.rssMb).sort((a, b) => a - b);
  const baseline = head[Math.floor(head.length / 2)] ?? meanY;
  const last = half.at(-1)?.rssMb ?? baseline;
  return { slopeMbPerMinute: variance === 0 ? 0 : (covariance / variance) * 60, growthPercent: ((last - baseline) / baseline) * 100 };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
