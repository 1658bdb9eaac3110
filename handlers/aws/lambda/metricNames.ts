/**
 * The CloudWatch metrics the Lambda handlers emit (embedded metric format, through Powertools
 * Metrics) and the template's alarms and dashboard read: one list, so the two never drift.
 */

/** The namespace of every Nexus metric. */
export const METRICS_NAMESPACE = 'Nexus';

/** Dimension names. Every metric carries `service` (`nexus-<stage>`); pipeline metrics also `pipeline`. */
export const METRIC_DIMENSIONS = {
  service: 'service',
  pipeline: 'pipeline',
} as const;

/** Metric names and their units. */
export const METRICS = {
  /** Milliseconds from request to response of a command (POST /api/commands/...). */
  commandLatency: { name: 'CommandLatency', unit: 'Milliseconds' },
  /** Commands answered with a 5xx, or refused by an engine outage. */
  commandErrors: { name: 'CommandErrors', unit: 'Count' },
  /** Events appended by accepted commands. */
  eventsAppended: { name: 'EventsAppended', unit: 'Count' },
  /** Milliseconds from request to response of a query (GET /api/...). */
  queryLatency: { name: 'QueryLatency', unit: 'Milliseconds' },
  /** Records a pipeline invocation received. */
  recordsIn: { name: 'RecordsIn', unit: 'Count' },
  /** Records a pipeline finished. */
  recordsOut: { name: 'RecordsOut', unit: 'Count' },
  /** Records reported back to Lambda (left unfinished: engine outage, deadline). */
  recordsFailed: { name: 'RecordsFailed', unit: 'Count' },
  /** Records a pipeline parked in this invocation. */
  recordsParked: { name: 'RecordsParked', unit: 'Count' },
  /** Milliseconds from the oldest record's arrival in its source to its invocation. */
  pipelineLag: { name: 'PipelineLag', unit: 'Milliseconds' },
  /** Parked records per pipeline, sampled by the scheduled dead-letter gauge. */
  parkedRecords: { name: 'ParkedRecords', unit: 'Count' },
} as const;
