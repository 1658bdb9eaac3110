export { powertoolsLogger } from './PowertoolsLogger';
export { EmfMetrics } from './PowertoolsMetrics';
export type { MetricDefinition } from './PowertoolsMetrics';
export { traceInvocation, traceSdkClients } from './PowertoolsTracer';
