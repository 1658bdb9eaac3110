/** Median, min and max of repeated measurements of one quantity. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** One row of the bench table: a measured figure, its same-run baseline and their ratio. */
export interface Figure {
  group: string;
  name: string;
  unit: string;
  value: Spread;
  baselineName?: string;
  baseline?: Spread;
  /** Median of the per-run ratios value / baseline (each run compares against its own baseline). */
  ratio?: Spread;
  /** The goal, as the issue states it, e.g. `>= 0.7x hand loop`. */
  target?: string;
  /** Whether the target is met; undefined when it is not a number we can check. */
  met?: boolean;
  note?: string;
}

export function spread(runs: readonly number[]): Spread {
  const sorted = [...runs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, runs: [...runs] };
}

/** Per-run ratios of two equally long series. */
export function ratios(values: readonly number[], baselines: readonly number[]): Spread {
  return spread(values.map((value, index) => value / (baselines[index] ?? Number.NaN)));
}

/** Runs `measure` `times` times, one after the other. */
export async function repeat<T>(times: number, measure: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < times; run += 1) results.push(await measure(run));
  return results;
}
