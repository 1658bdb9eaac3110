/**
 * The stage's CloudWatch dashboard, in four rows: commands (latency p50/p99, errors, events
 * appended), propagation (lag and records in/out/failed/parked per pipeline, stream iterator
 * age), queries (latency) and health (dead-letter and on-failure queue depths, DynamoDB
 * throttles, Lambda errors and throttles). The body is JSON inside Fn::Sub, so function and
 * queue names resolve to the stack's.
 */
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { METRIC_DIMENSIONS, METRICS, METRICS_NAMESPACE } from '../../handlers/aws/lambda/metricNames';
import { sub } from '../cloudFormation';
import type { CfnResources } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { deadLetterQueueLogicalId, failureQueueLogicalId, hasFailureQueue, stackMessaging } from '../resources/messaging';
import { stackTables } from '../resources/tables';
import { serviceName } from './alarms';

/** The dashboard's logical id. */
export const DASHBOARD_LOGICAL_ID = 'Dashboard';

/** What the dashboard derives from besides the functions. */
export interface DashboardSettings {
  stage: string;
  topics: readonly TopicDeclaration[];
}

type MetricLine = (string | Record<string, string>)[];

interface Widget {
  type: 'metric' | 'text';
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const REGION = '${AWS::Region}';

/** The AWS::CloudWatch::Dashboard resource. */
export function dashboardOf(functions: readonly DeployedFunction[], settings: DashboardSettings): CfnResources {
  const body = { widgets: dashboardWidgets(functions, settings) };
  return {
    [DASHBOARD_LOGICAL_ID]: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardName: `nexus-${settings.stage}`, DashboardBody: sub(JSON.stringify(body)) },
    },
  };
}

/** The widgets, in reading order. */
export function dashboardWidgets(functions: readonly DeployedFunction[], settings: DashboardSettings): Widget[] {
  const service = serviceName(settings.stage);
  const nexus = (metric: string, stat: string, label: string, pipeline?: string): MetricLine => [
    METRICS_NAMESPACE,
    metric,
    METRIC_DIMENSIONS.service,
    service,
    ...(pipeline === undefined ? [] : [METRIC_DIMENSIONS.pipeline, pipeline]),
    { stat, label },
  ];
  const pipelines = functions.flatMap((fn) => (fn.pipeline ? [{ fn, pipeline: fn.pipeline }] : []));
  const queues = [
    ...stackMessaging(settings.stage, settings.topics).topics.flatMap((topic) => topic.subscribers.map((subscriber) => ({ id: deadLetterQueueLogicalId(subscriber.name), label: `${subscriber.name} DLQ` }))),
    ...functions.filter(hasFailureQueue).map((fn) => ({ id: failureQueueLogicalId(fn), label: `${fn.key} on-failure` })),
  ];
  return [
    text('## Commands'),
    metric('Command latency (ms)', [nexus(METRICS.commandLatency.name, 'p50', 'p50'), nexus(METRICS.commandLatency.name, 'p99', 'p99')]),
    metric('Command errors and events appended', [nexus(METRICS.commandErrors.name, 'Sum', 'errors'), nexus(METRICS.eventsAppended.name, 'Sum', 'events appended')]),
    text('## Propagation'),
    metric('Pipeline lag (ms, max)', [
      ...pipelines.map(({ pipeline }) => nexus(METRICS.pipelineLag.name, 'Maximum', pipeline.name, pipeline.name)),
      ...pipelines.filter(({ pipeline }) => pipeline.source.type !== 'queue').map(({ fn, pipeline }) => ['AWS/Lambda', 'IteratorAge', 'FunctionName', `\${${fn.logicalId}}`, { stat: 'Maximum', label: `${pipeline.name} iterator age` }]),
    ]),
    ...pipelines.map(({ pipeline }) =>
      metric(`${pipeline.name}: records`, [
        nexus(METRICS.recordsIn.name, 'Sum', 'in', pipeline.name),
        nexus(METRICS.recordsOut.name, 'Sum', 'out', pipeline.name),
        nexus(METRICS.recordsFailed.name, 'Sum', 'failed', pipeline.name),
        nexus(METRICS.recordsParked.name, 'Sum', 'parked', pipeline.name),
        nexus(METRICS.parkedRecords.name, 'Maximum', 'parked now', pipeline.name),
      ]),
    ),
    text('## Queries'),
    metric('Query latency (ms)', [nexus(METRICS.queryLatency.name, 'p50', 'p50'), nexus(METRICS.queryLatency.name, 'p99', 'p99')]),
    text('## Health'),
    metric('Dead-letter and on-failure queues (messages)', queues.map((queue) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${queue.id}.QueueName}`, { stat: 'Maximum', label: queue.label }])),
    metric(
      'DynamoDB throttle events',
      stackTables(settings.stage).flatMap((table) => [
        ['AWS/DynamoDB', 'ReadThrottleEvents', 'TableName', table.tableName, { stat: 'Sum', label: `${table.logicalId} reads` }],
        ['AWS/DynamoDB', 'WriteThrottleEvents', 'TableName', table.tableName, { stat: 'Sum', label: `${table.logicalId} writes` }],
      ]),
    ),
    metric(
      'Lambda errors and throttles',
      functions.flatMap((fn) => [
        ['AWS/Lambda', 'Errors', 'FunctionName', `\${${fn.logicalId}}`, { stat: 'Sum', label: `${fn.key} errors` }],
        ['AWS/Lambda', 'Throttles', 'FunctionName', `\${${fn.logicalId}}`, { stat: 'Sum', label: `${fn.key} throttles` }],
      ]),
    ),
  ];
}

function text(markdown: string): Widget {
  return { type: 'text', width: 24, height: 1, properties: { markdown } };
}

function metric(title: string, metrics: MetricLine[]): Widget {
  return { type: 'metric', width: 12, height: 6, properties: { title, region: REGION, view: 'timeSeries', stacked: false, period: 60, metrics } };
}
