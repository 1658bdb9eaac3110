/**
 * `npm run bench [-- --runs 3 --only pipeline,appends,propagation,commands]`
 *
 * In-process benchmarks of the embedded system. Every figure is the median of `--runs` runs
 * (at least 3) with its min–max, next to a baseline measured in the same run, so that the ratio
 * holds on a noisy machine. Prints a markdown table and writes JSON to bench-results/.
 * Sizes are chosen so that the whole bench stays under 5 minutes on 2 cores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureAppends } from './appendThroughput';
import { measureCommandLatency } from './commandLatency';
import { ratios, repeat, spread } from './figures';
import type { Figure } from './figures';
import { measurePipelineThroughput } from './pipelineThroughput';
import { measurePropagation } from './propagationLatency';
import { markdownTable } from './report';

/** Sizes of one bench run. */
const SIZES = {
  /** Orders of 3 events each through the order-list pipeline. */
  pipelineOrders: 10_000,
  appends: 10_000,
  concurrentWriters: 32,
  /** 5,000 events/s for 30 s per run, as issue 4 asks; three runs take 90 s of the 5-minute budget. */
  propagationRate: 5_000,
  propagationMs: 30_000,
  commandRate: 1_000,
  commandMs: 20_000,
  healthBaselineMs: 5_000,
};

const GROUPS = ['pipeline', 'appends', 'propagation', 'commands'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: 'string', default: '3' }, only: { type: 'string' } }, strict: true });
  const runs = Math.max(3, Number(values.runs) || 3);
  const only = new Set(values.only?.split(',') ?? GROUPS);
  const figures: Figure[] = [];
  const startedAt = Date.now();
  const log = (line: string): void => void process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${line}\n`);

  if (only.has('pipeline')) {
    log('pipeline throughput');
    // A discarded warm-up run, then the two sides take turns at going first.
    await measurePipelineThroughput(Math.floor(SIZES.pipelineOrders / 5));
    const results = await repeat(runs, (run) => measurePipelineThroughput(SIZES.pipelineOrders, run % 2 === 1));
    const value = results.map((r) => r.pipelinePerSecond);
    const baseline = results.map((r) => r.handLoopPerSecond);
    const ratio = ratios(value, baseline);
    figures.push({
      group: 'pipeline', name: `order-list: decode → upcast → ofType → project (${SIZES.pipelineOrders * 3} events)`, unit: 'ev/s',
      value: spread(value), baselineName: 'hand loop', baseline: spread(baseline), ratio,
      target: '≥ 100,000 ev/s and ≥ 0.7x', met: spread(value).median >= 100_000 && ratio.median >= 0.7,
    });
  }

  if (only.has('appends')) {
    log('event store appends');
    const results = await repeat(runs, () => measureAppends(SIZES.appends, SIZES.concurrentWriters));
    const pick = (key: keyof (typeof results)[number]): number[] => results.map((r) => r[key]);
    const single = ratios(pick('single'), pick('rawSingle'));
    figures.push({ group: 'appends', name: '1 event per append', unit: 'ev/s', value: spread(pick('single')), baselineName: 'raw insert, 1 row/tx', baseline: spread(pick('rawSingle')), ratio: single, target: '≥ 0.8x', met: single.median >= 0.8 });
    // The store writes one event without BEGIN/COMMIT, so hold it to the cheapest raw write too.
    const singleAuto = ratios(pick('single'), pick('rawSingleAutocommit'));
    figures.push({ group: 'appends', name: '1 event per append', unit: 'ev/s', value: spread(pick('single')), baselineName: 'raw insert, autocommit', baseline: spread(pick('rawSingleAutocommit')), ratio: singleAuto, target: '≥ 0.8x', met: singleAuto.median >= 0.8 });
    figures.push({ group: 'appends', name: '10 events per append', unit: 'ev/s', value: spread(pick('ten')), baselineName: 'raw insert, 10 rows/tx', baseline: spread(pick('rawTen')), ratio: ratios(pick('ten'), pick('rawTen')) });
    const group = ratios(pick('concurrentGroup'), pick('rawSingle'));
    figures.push({ group: 'appends', name: `${SIZES.concurrentWriters} concurrent writers, group commit`, unit: 'ev/s', value: spread(pick('concurrentGroup')), baselineName: 'raw insert, 1 row/tx', baseline: spread(pick('rawSingle')), ratio: group, target: '≥ 2x', met: group.median >= 2 });
    figures.push({ group: 'appends', name: `${SIZES.concurrentWriters} concurrent writers, no group commit`, unit: 'ev/s', value: spread(pick('concurrentAlone')), baselineName: 'raw insert, 1 row/tx', baseline: spread(pick('rawSingle')), ratio: ratios(pick('concurrentAlone'), pick('rawSingle')) });
  }

  if (only.has('propagation')) {
    log(`propagation and projection lag at ${SIZES.propagationRate} ev/s for ${SIZES.propagationMs / 1000} s`);
    const results = await repeat(runs, () => measurePropagation(SIZES.propagationRate, SIZES.propagationMs));
    const loop = spread(results.map((r) => r.eventLoopDelay.p99Ms));
    const note = `${SIZES.propagationRate} ev/s offered, ${SIZES.propagationMs / 1000} s per run`;
    for (const [name, key, target, limit] of [
      ['propagation (commit → pipeline entry)', 'propagation', '< 20 ms', 20],
      ['projection lag (append → read model)', 'projectionLag', '< 100 ms', 100],
    ] as const) {
      const p50 = spread(results.map((r) => r[key].p50Ms));
      const p99 = spread(results.map((r) => r[key].p99Ms));
      figures.push({ group: 'latency', name: `${name} p50`, unit: 'ms', value: p50, note });
      figures.push({ group: 'latency', name: `${name} p99`, unit: 'ms', value: p99, baselineName: 'event-loop delay p99', baseline: loop, target: `p99 ${target}`, met: p99.median < limit, note });
    }
    const dropped = spread(results.map((r) => r.dropped));
    if (dropped.max > 0) figures.push({ group: 'latency', name: 'appends not started (over 10,000 in flight)', unit: '', value: dropped });
  }

  if (only.has('commands')) {
    log(`command latency over HTTP at ${SIZES.commandRate} req/s`);
    const results = await repeat(runs, () => measureCommandLatency(SIZES.commandRate, SIZES.commandMs, SIZES.healthBaselineMs));
    const note = `${SIZES.commandRate} req/s, ${SIZES.commandMs / 1000} s, from a second process`;
    const health = (key: 'p50Ms' | 'p99Ms') => spread(results.map((r) => r.health[key]));
    const p99 = spread(results.map((r) => r.command.p99Ms));
    figures.push({ group: 'commands', name: 'PlaceOrder p50', unit: 'ms', value: spread(results.map((r) => r.command.p50Ms)), baselineName: 'GET /health p50', baseline: health('p50Ms'), note });
    figures.push({ group: 'commands', name: 'PlaceOrder p99', unit: 'ms', value: p99, baselineName: 'GET /health p99', baseline: health('p99Ms'), target: '< 10 ms', met: p99.median < 10, note });
    figures.push({ group: 'commands', name: 'PlaceOrder failed or dropped', unit: 'req', value: spread(results.map((r) => r.commandErrors + r.commandDropped)) });
    figures.push({ group: 'memory', name: 'server peak RSS', unit: 'MB', value: spread(results.map((r) => r.serverPeakRssMb ?? Number.NaN)) });
  }

  figures.push({ group: 'snapshots', name: 'snapshot trigger → snapshot stored', unit: 'ms', value: spread([]), note: 'snapshots do not exist yet: not measured' });
  figures.push({ group: 'memory', name: 'bench process peak RSS', unit: 'MB', value: spread([process.resourceUsage().maxRSS / 1024]) });

  const table = markdownTable(figures);
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` };
  process.stdout.write(`\n${table}\n\nmachine: ${machine.nproc} CPUs, ${machine.cpu}, node ${machine.node}; ${runs} runs per figure; ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
  const directory = resolve(__dirname, '..', '..', 'bench-results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ machine, runs, sizes: SIZES, figures }, null, 2)}\n`);
  process.stdout.write(`JSON: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
