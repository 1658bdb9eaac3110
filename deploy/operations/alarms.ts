/**
 * The alarms of a stage, derived from the functions and the metric names the handlers emit
 * (handlers/aws/lambda/metricNames.ts): projection lag over 5 s per pipeline (our PipelineLag,
 * and Lambda's IteratorAge for stream sources), any message in a dead-letter or on-failure
 * queue, any parked record, command errors over 10 a minute, and DynamoDB throttling per table.
 * Each notifies the AlarmTopic when there is one (into ALARM and back to OK).
 */
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { METRIC_DIMENSIONS, METRICS, METRICS_NAMESPACE } from '../../handlers/aws/lambda/metricNames';
import { getAtt, ref } from '../cloudFormation';
import type { CfnResource, CfnResources, CfnValue } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { pascalCase } from '../names';
import { deadLetterQueueLogicalId, failureQueueLogicalId, hasFailureQueue, stackMessaging } from '../resources/messaging';
import { stackTables } from '../resources/tables';

/** The alarm topic's logical id. */
export const ALARM_TOPIC_LOGICAL_ID = 'AlarmTopic';

/** Thresholds, as the issue states them. */
export const ALARM_THRESHOLDS = {
  /** Projection lag, ms. */
  lagMs: 5000,
  /** Command errors per minute. */
  commandErrorsPerMinute: 10,
} as const;

/** What the alarms derive from besides the functions. */
export interface AlarmSettings {
  stage: string;
  topics: readonly TopicDeclaration[];
  /** Create AlarmTopic and notify it. @defaultValue true */
  alarmTopic?: boolean;
  /** An e-mail address subscribed to AlarmTopic (it confirms by mail). @defaultValue none */
  alarmEmail?: string;
}

type Comparison = 'GreaterThanThreshold';
type MissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

interface AlarmSpec {
  description: string;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  missing: MissingData;
}

/** `service` dimension of every Nexus metric: Powertools' POWERTOOLS_SERVICE_NAME. */
export function serviceName(stage: string): string {
  return `nexus-${stage}`;
}

/** Every alarm (and the alarm topic) by logical id. */
export function alarmsOf(functions: readonly DeployedFunction[], settings: AlarmSettings): CfnResources {
  const withTopic = settings.alarmTopic ?? true;
  const actions: CfnValue[] = withTopic ? [ref(ALARM_TOPIC_LOGICAL_ID)] : [];
  const service = { Name: METRIC_DIMENSIONS.service, Value: serviceName(settings.stage) };
  const resources: CfnResources = withTopic ? alarmTopic(settings) : {};
  const alarm = (spec: AlarmSpec, metric: Record<string, CfnValue>): CfnResource => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: spec.description,
      ComparisonOperator: 'GreaterThanThreshold' satisfies Comparison,
      Threshold: spec.threshold,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
      TreatMissingData: spec.missing,
      AlarmActions: actions,
      OKActions: actions,
      ...metric,
    },
  });
  const nexusMetric = (name: string, statistic: string, periodSeconds: number, dimensions: CfnValue[]): Record<string, CfnValue> => ({
    Namespace: METRICS_NAMESPACE,
    MetricName: name,
    Dimensions: dimensions,
    Statistic: statistic,
    Period: periodSeconds,
  });

  for (const fn of functions) {
    const pipeline = fn.pipeline;
    if (pipeline === undefined) continue;
    const id = pascalCase(pipeline.name);
    const dimensions = [service, { Name: METRIC_DIMENSIONS.pipeline, Value: pipeline.name }];
    // No invocation, no lag datapoint: an idle pipeline is not behind (a stuck stream consumer shows in IteratorAge).
    resources[`${id}LagAlarm`] = alarm(
      { description: `Pipeline ${pipeline.name}: records wait over ${ALARM_THRESHOLDS.lagMs / 1000} s before it runs them (${METRICS.pipelineLag.name})`, threshold: ALARM_THRESHOLDS.lagMs, evaluationPeriods: 3, datapointsToAlarm: 2, missing: 'notBreaching' },
      nexusMetric(METRICS.pipelineLag.name, 'Maximum', 60, dimensions),
    );
    if (pipeline.source.type !== 'queue') {
      // Lambda publishes IteratorAge while the mapping reads; absent when the function is not invoked at all.
      resources[`${id}IteratorAgeAlarm`] = alarm(
        { description: `Pipeline ${pipeline.name}: the oldest unread record of its ${pipeline.source.type === 'events' ? 'DynamoDB' : 'Kinesis'} stream is over ${ALARM_THRESHOLDS.lagMs / 1000} s old`, threshold: ALARM_THRESHOLDS.lagMs, evaluationPeriods: 3, datapointsToAlarm: 2, missing: 'notBreaching' },
        { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: [{ Name: 'FunctionName', Value: ref(fn.logicalId) }], Statistic: 'Maximum', Period: 60 },
      );
    }
    // The gauge samples every minute: silence means the gauge is broken, and then nobody knows.
    resources[`${id}ParkedRecordsAlarm`] = alarm(
      { description: `Pipeline ${pipeline.name} has parked records (${METRICS.parkedRecords.name}): see \`nexus dlq list --pipeline ${pipeline.name}\``, threshold: 0, evaluationPeriods: 1, missing: 'breaching' },
      nexusMetric(METRICS.parkedRecords.name, 'Maximum', 60, dimensions),
    );
    if (hasFailureQueue(fn)) resources[`${pascalCase(fn.key)}FailureQueueAlarm`] = queueAlarm(alarm, failureQueueLogicalId(fn), `Lambda discarded a batch of pipeline ${pipeline.name} (its on-failure queue holds the batch's position)`);
  }
  for (const topic of stackMessaging(settings.stage, settings.topics).topics) {
    for (const subscriber of topic.subscribers) {
      resources[`${deadLetterQueueLogicalId(subscriber.name)}Alarm`] = queueAlarm(
        alarm,
        deadLetterQueueLogicalId(subscriber.name),
        `Queue ${subscriber.name}: messages received ${subscriber.subscription.maxReceiveCount} times moved to its dead-letter queue: see \`nexus dlq queue list ${subscriber.name}\``,
      );
    }
  }
  // No command error emitted, no datapoint: a quiet minute is a good one.
  resources['CommandErrorsAlarm'] = alarm(
    { description: `Over ${ALARM_THRESHOLDS.commandErrorsPerMinute} command errors in a minute (${METRICS.commandErrors.name})`, threshold: ALARM_THRESHOLDS.commandErrorsPerMinute, evaluationPeriods: 1, missing: 'notBreaching' },
    nexusMetric(METRICS.commandErrors.name, 'Sum', 60, [service]),
  );
  for (const table of stackTables(settings.stage)) {
    resources[`${table.logicalId}ThrottleAlarm`] = alarm(
      { description: `DynamoDB throttles requests on ${table.tableName}`, threshold: 0, evaluationPeriods: 1, missing: 'notBreaching' },
      {
        Metrics: [
          throttleQuery('reads', 'ReadThrottleEvents', table.logicalId),
          throttleQuery('writes', 'WriteThrottleEvents', table.logicalId),
          // DynamoDB publishes throttle events only when there are some.
          { Id: 'throttled', Expression: 'FILL(reads, 0) + FILL(writes, 0)', Label: 'Throttle events', ReturnData: true },
        ],
      },
    );
  }
  return resources;
}

function throttleQuery(id: string, metricName: string, tableLogicalId: string): CfnValue {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: metricName, Dimensions: [{ Name: 'TableName', Value: ref(tableLogicalId) }] }, Period: 60, Stat: 'Sum' },
  };
}

function queueAlarm(alarm: (spec: AlarmSpec, metric: Record<string, CfnValue>) => CfnResource, queueLogicalId: string, description: string): CfnResource {
  // SQS stops publishing for a queue idle six hours: an empty queue then, not a full one.
  return alarm(
    { description, threshold: 0, evaluationPeriods: 1, missing: 'notBreaching' },
    { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: getAtt(queueLogicalId, 'QueueName') }], Statistic: 'Maximum', Period: 60 },
  );
}

/**
 * AlarmTopic, not encrypted: CloudWatch cannot publish to a topic under the AWS managed SNS key
 * (its key policy cannot be changed to let CloudWatch use it); alarm texts carry no data.
 */
function alarmTopic(settings: AlarmSettings): CfnResources {
  return {
    [ALARM_TOPIC_LOGICAL_ID]: {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: `nexus-${settings.stage}-alarms`,
        ...(settings.alarmEmail ? { Subscription: [{ Protocol: 'email', Endpoint: settings.alarmEmail }] } : {}),
      },
    },
  };
}
