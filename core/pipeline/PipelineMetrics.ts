/** A snapshot of one pipeline runner's counters. */
export interface PipelineMetrics {
  pipelineName: string;
  /** Records taken from the source (parked-behind records included). */
  recordsIn: number;
  /** Non-empty batches processed: recordsIn / batches is the mean batch size. */
  batches: number;
  /** Outcomes the pipeline emitted for records that succeeded. */
  recordsOut: number;
  /** Records whose every attempt failed. */
  recordsFailed: number;
  /** Records parked in the dead-letter store: failed ones plus those parked behind them. */
  recordsParked: number;
  /** Retries of single records (attempts beyond the first). */
  retries: number;
  /** Failed reads of the source or writes of the checkpoint (each retried with backoff). */
  sourceFailures: number;
  /** The last checkpointed source position. */
  lastPosition: number;
  /** Records read and not yet processed, plus the records behind them when the source tells its head. */
  lagRecords: number;
  /** Age of the newest record of the last batch when it was read (0 once caught up), like Kinesis' iterator age. */
  lagMs: number;
  /** Keys being retried off the batches' path (their later records wait behind them). */
  retryingKeys: number;
  /** Records of those keys not finished yet: the checkpoint stays below the oldest of them. */
  waitingRecords: number;
  /** Per-record processing latency over the last {@link LATENCY_WINDOW} successful records. */
  latencyP50Ms: number | undefined;
  latencyP99Ms: number | undefined;
}

/** How many recent latencies the percentiles are computed over. */
export const LATENCY_WINDOW = 1024;

/** Mutable counters behind {@link PipelineMetrics}; percentiles are computed when read. */
export class PipelineMetricsRecorder {
  recordsIn = 0;
  batches = 0;
  recordsOut = 0;
  recordsFailed = 0;
  recordsParked = 0;
  retries = 0;
  sourceFailures = 0;
  lastPosition = 0;
  lagRecords = 0;
  lagMs = 0;
  retryingKeys = 0;
  waitingRecords = 0;
  private readonly latencies: number[] = [];
  private next = 0;

  constructor(private readonly pipelineName: string) {}

  recordLatency(ms: number): void {
    if (this.latencies.length < LATENCY_WINDOW) this.latencies.push(ms);
    else this.latencies[this.next] = ms;
    this.next = (this.next + 1) % LATENCY_WINDOW;
  }

  snapshot(): PipelineMetrics {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      pipelineName: this.pipelineName,
      recordsIn: this.recordsIn,
      batches: this.batches,
      recordsOut: this.recordsOut,
      recordsFailed: this.recordsFailed,
      recordsParked: this.recordsParked,
      retries: this.retries,
      sourceFailures: this.sourceFailures,
      lastPosition: this.lastPosition,
      lagRecords: this.lagRecords,
      lagMs: this.lagMs,
      retryingKeys: this.retryingKeys,
      waitingRecords: this.waitingRecords,
      latencyP50Ms: percentile(sorted, 0.5),
      latencyP99Ms: percentile(sorted, 0.99),
    };
  }
}

function percentile(sorted: readonly number[], rank: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(rank * sorted.length) - 1)];
}
