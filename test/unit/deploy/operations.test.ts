import type { TopicDeclaration } from '../../../core/messaging/Topic';
import type { CfnResource } from '../../../deploy/cloudFormation';
import type { DeployedFunction } from '../../../deploy/DeployedFunction';
import { fixedFunction, pipelineFunction as pipelineFn } from '../../support/deployedFunctions';
import { alarmsOf } from '../../../deploy/operations/alarms';
import { dashboardOf } from '../../../deploy/operations/dashboard';

const TOPICS: TopicDeclaration[] = [{ name: 'order-events', subscriptions: [{ queue: 'order-notices', ordering: 'per-key' }] }];

const FUNCTIONS: DeployedFunction[] = [
  fixedFunction('api', 'api'),
  pipelineFn('router', { type: 'events' }),
  pipelineFn('order-list', { type: 'stream', stream: 'core' }),
  pipelineFn('order-notices', { type: 'queue', queue: 'order-notices' }),
];
const SETTINGS = { stage: 'test', topics: TOPICS };
const SERVICE = { Name: 'service', Value: 'nexus-test' };

function properties(resource: CfnResource | undefined): Record<string, unknown> {
  return (resource?.Properties ?? {}) as Record<string, unknown>;
}

describe('the alarms', () => {
  it('alarms per pipeline when its lag (max PipelineLag) is over 5 s, and for stream sources when Lambda IteratorAge is', () => {
    // when
    const alarms = alarmsOf(FUNCTIONS, SETTINGS);
    // then
    for (const name of ['router', 'order-list', 'order-notices']) {
      const id = name === 'router' ? 'Router' : name === 'order-list' ? 'OrderList' : 'OrderNotices';
      expect(properties(alarms[`${id}LagAlarm`])).toMatchObject({
        Namespace: 'Nexus',
        MetricName: 'PipelineLag',
        Dimensions: [SERVICE, { Name: 'pipeline', Value: name }],
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 5000,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
      });
    }
    expect(properties(alarms['OrderListIteratorAgeAlarm'])).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'OrderListPipelineLambdaFunction' } }],
      Threshold: 5000,
    });
    expect(alarms['RouterIteratorAgeAlarm']).toBeDefined();
    expect(alarms['OrderNoticesIteratorAgeAlarm']).toBeUndefined();
  });

  it('alarms on any parked record per pipeline, treating a silent gauge as breaching', () => {
    // when
    const alarms = alarmsOf(FUNCTIONS, SETTINGS);
    // then
    expect(properties(alarms['OrderListParkedRecordsAlarm'])).toMatchObject({
      Namespace: 'Nexus',
      MetricName: 'ParkedRecords',
      Dimensions: [SERVICE, { Name: 'pipeline', Value: 'order-list' }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
    expect(Object.keys(alarms).filter((id) => id.endsWith('ParkedRecordsAlarm'))).toHaveLength(3);
  });

  it('alarms on any message in every subscriber dead-letter queue and every on-failure queue', () => {
    // when
    const alarms = alarmsOf(FUNCTIONS, SETTINGS);
    // then
    const queueAlarms = Object.entries(alarms).filter(([, alarm]) => properties(alarm)['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    expect(queueAlarms.map(([, alarm]) => (properties(alarm)['Dimensions'] as { Value: unknown }[])[0]?.Value)).toEqual([
      { 'Fn::GetAtt': ['RouterPipelineFailureQueue', 'QueueName'] },
      { 'Fn::GetAtt': ['OrderListPipelineFailureQueue', 'QueueName'] },
      { 'Fn::GetAtt': ['OrderNoticesDeadLetterQueue', 'QueueName'] },
    ]);
    for (const [, alarm] of queueAlarms) expect(properties(alarm)).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on over 10 command errors in a minute', () => {
    // when
    const alarm = alarmsOf(FUNCTIONS, SETTINGS)['CommandErrorsAlarm'];
    // then
    expect(properties(alarm)).toMatchObject({ Namespace: 'Nexus', MetricName: 'CommandErrors', Dimensions: [SERVICE], Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on read or write throttling of every table', () => {
    // when
    const alarms = alarmsOf(FUNCTIONS, SETTINGS);
    // then
    const throttles = Object.keys(alarms).filter((id) => id.endsWith('ThrottleAlarm'));
    expect(throttles).toEqual(['EventsTable', 'IdempotencyTable', 'RateLimitsTable', 'CheckpointsTable', 'DeadLettersTable', 'LeasesTable', 'SnapshotsTable', 'ReadModelVersionsTable', 'ConnectionsTable', 'NotificationLogTable', 'SagaDeadlinesTable'].map((table) => `${table}ThrottleAlarm`));
    expect(properties(alarms['EventsTableThrottleAlarm'])).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [
        { Id: 'reads', MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ReadThrottleEvents', Dimensions: [{ Name: 'TableName', Value: { Ref: 'EventsTable' } }] }, Stat: 'Sum' } },
        { Id: 'writes', MetricStat: { Metric: { MetricName: 'WriteThrottleEvents' } } },
        { Id: 'throttled', Expression: 'FILL(reads, 0) + FILL(writes, 0)', ReturnData: true },
      ],
    });
  });

  it('notifies an alarm topic, subscribing the given address, or no one when the topic is off', () => {
    // when
    const withTopic = alarmsOf(FUNCTIONS, { ...SETTINGS, alarmEmail: 'ops@example.com' });
    const without = alarmsOf(FUNCTIONS, { ...SETTINGS, alarmTopic: false });
    // then
    expect(withTopic['AlarmTopic']).toEqual({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'nexus-test-alarms', Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }] } });
    expect(without['AlarmTopic']).toBeUndefined();
    expect(properties(without['CommandErrorsAlarm'])['AlarmActions']).toEqual([]);
  });
});

describe('the dashboard', () => {
  it('has a body that is valid JSON once CloudFormation substitutes it, with commands, propagation, queries and health', () => {
    // given
    const dashboard = dashboardOf(FUNCTIONS, SETTINGS)['Dashboard'];
    const body = (properties(dashboard)['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub'];
    // when
    const substituted = body.replace(/\$\{([^}]+)\}/g, (_match, name: string) => `resolved-${name}`);
    const parsed = JSON.parse(substituted) as { widgets: { type: string; properties: { title?: string; markdown?: string; metrics?: unknown[][] } }[] };
    // then
    expect(properties(dashboard)['DashboardName']).toBe('nexus-test');
    const titles = parsed.widgets.map((widget) => widget.properties.title ?? widget.properties.markdown);
    expect(titles).toEqual([
      '## Commands',
      'Command latency (ms)',
      'Command errors and events appended',
      '## Propagation',
      'Pipeline lag (ms, max)',
      'router: records',
      'order-list: records',
      'order-notices: records',
      '## Queries',
      'Query latency (ms)',
      '## Health',
      'Dead-letter and on-failure queues (messages)',
      'DynamoDB throttle events',
      'Lambda errors and throttles',
    ]);
    const lag = parsed.widgets[4]?.properties.metrics ?? [];
    expect(lag).toContainEqual(['Nexus', 'PipelineLag', 'service', 'nexus-test', 'pipeline', 'order-list', { stat: 'Maximum', label: 'order-list' }]);
    expect(lag).toContainEqual(['AWS/Lambda', 'IteratorAge', 'FunctionName', 'resolved-OrderListPipelineLambdaFunction', { stat: 'Maximum', label: 'order-list iterator age' }]);
    expect(parsed.widgets[1]?.properties.metrics).toEqual([
      ['Nexus', 'CommandLatency', 'service', 'nexus-test', { stat: 'p50', label: 'p50' }],
      ['Nexus', 'CommandLatency', 'service', 'nexus-test', { stat: 'p99', label: 'p99' }],
    ]);
    expect(parsed.widgets[11]?.properties.metrics).toContainEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', 'resolved-OrderNoticesDeadLetterQueue.QueueName', { stat: 'Maximum', label: 'order-notices DLQ' }]);
  });
});
