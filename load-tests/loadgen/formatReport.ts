import type { LatencySummary } from './LatencyHistogram';
import type { LoadReport, ThresholdVerdict } from './runScenario';

/** The human summary of a load run, k6-like: counts, latency percentiles, thresholds. */
export function formatReport(report: LoadReport): string {
  const { requests } = report;
  const lines = [
    `scenario ${report.scenario}: ${report.rate} req/s for ${report.durationMs / 1000} s (open model, constant arrival rate)`,
    `  requests   scheduled ${requests.scheduled}, started ${requests.started}, dropped ${requests.dropped}, ok ${requests.ok}, failed ${requests.failed}` +
      `, achieved ${requests.achievedRate.toFixed(0)} req/s`,
    `  statuses   ${Object.entries(requests.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')}`,
    `  latency    ${percentiles(report.latency)}   (from scheduled start: includes queueing)`,
    `  service    ${percentiles(report.serviceTime)}   (from actual send)`,
    `  proj. lag  ${report.projectionLag.count > 0 ? percentiles(report.projectionLag) : 'no samples'}   (PlaceOrder 202 -> order readable on the query API)`,
  ];
  if (report.serverMemory) {
    const { startMb, endMb, peakMb } = report.serverMemory;
    lines.push(`  server RSS start ${startMb.toFixed(0)} MB, end ${endMb.toFixed(0)} MB, peak ${peakMb.toFixed(0)} MB`);
  }
  lines.push('  thresholds (service levels):');
  for (const verdict of report.thresholds) lines.push(`    ${verdictLine(verdict)}`);
  if (report.targets.length > 0) {
    lines.push('  targets (embedded goals, informative):');
    for (const verdict of report.targets) lines.push(`    ${verdictLine(verdict)}`);
  }
  lines.push(report.passed ? '  PASSED' : '  FAILED: a threshold was not met');
  return lines.join('\n');
}

function percentiles(summary: LatencySummary): string {
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  return `p50 ${ms(summary.p50Ms)}  p90 ${ms(summary.p90Ms)}  p99 ${ms(summary.p99Ms)}  max ${ms(summary.maxMs)}  (n=${summary.count})`;
}

function verdictLine(verdict: ThresholdVerdict): string {
  const actual = Number.isNaN(verdict.actual) ? 'n/a' : verdict.actual < 1 && verdict.actual > 0 ? verdict.actual.toFixed(4) : verdict.actual.toFixed(2);
  return `${verdict.passed ? '✓' : '✗'} ${verdict.name} < ${verdict.limit}: ${actual}`;
}
