/**
 * Metrics in CloudWatch embedded metric format through Powertools Metrics: values are kept
 * until {@link EmfMetrics.flush}, which writes them as one EMF line (once per invocation).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';

/** A metric's name and unit, as the handlers' list of metrics declares them. */
export interface MetricDefinition {
  name: string;
  unit: 'Count' | 'Milliseconds';
}

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const satisfies Record<MetricDefinition['unit'], string>;

/** Emits metrics through one Powertools Metrics (its namespace and default dimensions, `service` among them). */
export class EmfMetrics {
  constructor(private readonly metrics: Metrics) {}

  /** Keeps a value for the next flush; a metric added twice keeps both values. */
  add(metric: MetricDefinition, value: number): void {
    this.metrics.addMetric(metric.name, UNITS[metric.unit], value);
  }

  /**
   * Writes one value at once, in an EMF line of its own with `dimensions` beside the default ones
   * (e.g. a gauge per pipeline within one invocation).
   */
  addWith(dimensions: Record<string, string>, metric: MetricDefinition, value: number): void {
    const single = this.metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(metric.name, UNITS[metric.unit], value);
  }

  /** Writes what was added since the last flush (nothing when nothing was added). */
  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
