/**
 * Scheduled (EventBridge, hourly): the snapshot time rule on AWS. Aggregates whose events have
 * stood a day (their type's `sweepAgeSeconds`) without a current snapshot are snapshotted: the
 * events of the window are read from the events table's TimestampIndex, each aggregate is folded
 * from its snapshot and the events after it, and the snapshot is written to the snapshots table.
 * Expired snapshots need no sweep here: the table's TTL deletes them.
 *
 * "Now" is the scheduled event's `time` (when EventBridge fired it), so a retried invocation
 * sweeps the same window; a direct invocation without one sweeps as of the clock.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { resolve } from 'node:path';
import type { SnapshotSweepReport } from '../../../core/snapshot/SnapshotSweep';
import { SnapshotSweep } from '../../../core/snapshot/SnapshotSweep';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { aggregates } from '../../../domain';
import { createAwsClients } from '../awsClients';
import { readAwsBackendConfig } from '../awsConfig';
import { createAwsSystemParts } from '../awsSystem';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import { FUNCTION_ROOT } from './lambdaSystem';

const observability = lambdaObservability(process.env);

// Only the parts the sweep touches: no messaging resources are resolved, so its role needs no grant for them.
const parts = perContainer(async () => {
  const config = readAwsBackendConfig(new Map(), process.env);
  const clients = createAwsClients(config);
  return createAwsSystemParts({ clients, config, logger: observability.logger, catalog: loadSchemaCatalog(resolve(FUNCTION_ROOT, 'schemas')) });
});

/** The sweep's handler: one sweep as of the event's time; answers what it did. */
export const handler = observed(observability, 'snapshotSweep', async (event: Partial<ScheduledEvent>, _context: Context): Promise<SnapshotSweepReport> => {
  const { snapshots, eventStore } = await parts();
  const scheduled = typeof event.time === 'string' ? new Date(event.time) : undefined;
  const now = scheduled !== undefined && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
  const sweep = new SnapshotSweep({ eventStore, writer: snapshots.writer, aggregates, logger: observability.logger, clock: () => now });
  return sweep.run();
});
