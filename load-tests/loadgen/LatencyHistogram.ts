/** Relative precision of one bucket: a reported percentile is at most 1% above the true value. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values are recorded in microseconds; below 1 µs everything lands in bucket 0. */
const MICROS_PER_MS = 1000;

/** Percentiles of a {@link LatencyHistogram}, in milliseconds. */
export interface LatencySummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * An HDR-style latency histogram: logarithmic buckets with a bounded relative error (1%),
 * constant memory whatever the count, exact min, max and mean. Percentiles report the upper
 * bound of their bucket, so they never flatter.
 *
 * @example
 * const histogram = new LatencyHistogram();
 * histogram.record(3.2);
 * histogram.summary().p99Ms;
 */
export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private sumMs = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  /** Records one latency in milliseconds (negative values count as 0). */
  record(ms: number): void {
    const value = Math.max(0, ms);
    const index = bucketOf(value);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.total += 1;
    this.sumMs += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
  }

  /** Adds every recording of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    for (const [index, count] of other.counts) this.counts.set(index, (this.counts.get(index) ?? 0) + count);
    this.total += other.total;
    this.sumMs += other.sumMs;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  get count(): number {
    return this.total;
  }

  /** The latency at `rank` (0..1), in milliseconds; 0 when empty. */
  percentile(rank: number): number {
    if (this.total === 0) return 0;
    const wanted = Math.max(1, Math.ceil(rank * this.total));
    const indexes = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const index of indexes) {
      seen += this.counts.get(index) ?? 0;
      if (seen >= wanted) return Math.min(this.max, upperBoundMs(index));
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      minMs: this.total === 0 ? 0 : this.min,
      p50Ms: this.percentile(0.5),
      p90Ms: this.percentile(0.9),
      p99Ms: this.percentile(0.99),
      p999Ms: this.percentile(0.999),
      maxMs: this.max,
      meanMs: this.total === 0 ? 0 : this.sumMs / this.total,
    };
  }
}

function bucketOf(ms: number): number {
  const micros = ms * MICROS_PER_MS;
  return micros < 1 ? 0 : Math.floor(Math.log(micros) / LOG_GROWTH) + 1;
}

function upperBoundMs(index: number): number {
  return index === 0 ? 1 / MICROS_PER_MS : GROWTH ** index / MICROS_PER_MS;
}
