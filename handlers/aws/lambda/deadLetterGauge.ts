/**
 * Scheduled (EventBridge, every minute): the parked records of each declared pipeline, as the
 * ParkedRecords metric with the dimension `pipeline`, zeros included, so the "any parked record"
 * alarm always has data and turns OK again once the records are redriven or skipped.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { pipelines } from '../../../pipelines';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import { openLambdaSystem } from './lambdaSystem';
import { METRIC_DIMENSIONS, METRICS } from './metricNames';

/**
 * Counted up to this many per pipeline: the store lists entries (no count), and the alarm only
 * asks whether any is parked; the dashboard shows "1000" as "at least 1000".
 */
export const PARKED_COUNT_LIMIT = 1000;

const observability = lambdaObservability(process.env);
const system = perContainer(() => openLambdaSystem(process.env, observability.logger, observability.tracer));

/** The gauge's handler: one ParkedRecords value per declared pipeline; answers the counts. */
export const handler = observed(observability, 'deadLetterGauge', async (_event: ScheduledEvent | Record<string, never>, _context: Context): Promise<Record<string, number>> => {
  const { deadLetters } = await system();
  const counts: Record<string, number> = {};
  for (const { name } of pipelines) {
    counts[name] = (await deadLetters.list({ pipelineName: name, status: 'parked', limit: PARKED_COUNT_LIMIT })).length;
    observability.metrics.addWith({ [METRIC_DIMENSIONS.pipeline]: name }, METRICS.parkedRecords, counts[name]);
  }
  observability.logger.info('parked records counted', { counts });
  return counts;
});
