/**
 * Scheduled (EventBridge, once a minute): the saga timer on AWS. Reads the due deadlines from the
 * saga deadlines table and hands each to its saga's runtime, which fails the step (reason
 * `timeout`) and runs the compensations, or clears a deadline whose step settled meanwhile.
 * A deadline whose handling fails stays for the next run; the saga's stream decides, so a run
 * retried by Lambda does nothing twice.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { resolve } from 'node:path';
import type { SagaOutcome } from '../../../core/saga/SagaRuntime';
import { loadSchemaCatalog } from '../../../core/schema/SchemaCatalog';
import { createAwsClients } from '../awsClients';
import { readAwsBackendConfig } from '../awsConfig';
import { createAwsSystemParts } from '../awsSystem';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import { FUNCTION_ROOT } from './lambdaSystem';

const observability = lambdaObservability(process.env);

// Only the parts the timer touches: no messaging resources are resolved, so its role needs no grant for them.
const parts = perContainer(async () => {
  const config = readAwsBackendConfig(new Map(), process.env);
  const clients = createAwsClients(config);
  return createAwsSystemParts({ clients, config, logger: observability.logger, catalog: loadSchemaCatalog(resolve(FUNCTION_ROOT, 'schemas')) });
});

/** The timer's handler: one sweep; answers what became of each due deadline. */
export const handler = observed(observability, 'sagaTimeouts', async (_event: Partial<ScheduledEvent>, _context: Context): Promise<{ outcomes: SagaOutcome[] }> => {
  const { sagas } = await parts();
  return { outcomes: await sagas.timer.sweep() };
});
