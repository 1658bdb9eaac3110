import type { Figure, Spread } from './figures';

/** The bench results as a markdown table: figure, median (min–max), baseline, ratio, target. */
export function markdownTable(figures: readonly Figure[]): string {
  const rows = [
    '| group | figure | median (min–max) | baseline, same run | ratio | target | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const figure of figures) {
    const baseline = figure.baseline ? `${figure.baselineName ?? 'baseline'}: ${format(figure.baseline, figure.unit)}` : '—';
    const ratio = figure.ratio ? `${figure.ratio.median.toFixed(2)}x (${figure.ratio.min.toFixed(2)}–${figure.ratio.max.toFixed(2)})` : '—';
    const met = figure.met === undefined ? '—' : figure.met ? 'yes' : 'no';
    const name = figure.note ? `${figure.name} (${figure.note})` : figure.name;
    rows.push(`| ${figure.group} | ${name} | ${format(figure.value, figure.unit)} | ${baseline} | ${ratio} | ${figure.target ?? '—'} | ${met} |`);
  }
  return rows.join('\n');
}

function format(value: Spread, unit: string): string {
  if (Number.isNaN(value.median)) return 'n/a';
  return `${number(value.median)} ${unit} (${number(value.min)}–${number(value.max)})`;
}

function number(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(0);
  return value.toFixed(2);
}
