import type { TopicDeclaration } from '../../../core/messaging/Topic';
import type { PipelinePort } from '../../../core/pipeline/PipelineDeployment';
import type { DeployedFunction, DeployedSource } from '../../../deploy/DeployedFunction';
import { statementsOf, roleOf } from '../../../deploy/iam/roleOf';
import type { RoleSettings } from '../../../deploy/iam/roleOf';
import { fixedFunction as fixedFn, pipelineFunction } from '../../support/deployedFunctions';

const TOPICS: TopicDeclaration[] = [{ name: 'order-events', subscriptions: [{ queue: 'order-notices', ordering: 'per-key' }] }];
const MUTATIONS = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];

const router = pipelineFunction('router', { type: 'events' }, { uses: ['publisher', 'topics'] });
const orderList = pipelineFunction('order-list', { type: 'stream', stream: 'core' }, { lambda: { enhancedFanOut: true } });
const orderNotices = pipelineFunction('order-notices', { type: 'queue', queue: 'order-notices' });
const FUNCTIONS = [fixedFn('api', 'api'), fixedFn('redrive', 'redrive'), fixedFn('deadLetterGauge', 'deadLetterGauge'), fixedFn('schemas', 'schemas'), fixedFn('snapshotSweep', 'snapshotSweep'), router, orderList, orderNotices];
const SETTINGS: RoleSettings = { stage: 'test', functions: FUNCTIONS, topics: TOPICS };

const GLUE = [
  { 'Fn::Sub': 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:registry/nexus-test-schemas' },
  { 'Fn::Sub': 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:schema/nexus-test-schemas/*' },
];
const DOMAIN = [{ 'Fn::Sub': 'arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/nexus-test/*' }];
const ES = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut'];

/** Sid -> [actions, resources] of a function's role. */
function grantsOf(fn: DeployedFunction, settings: RoleSettings = SETTINGS): Record<string, [string[], unknown]> {
  return Object.fromEntries(statementsOf(fn, settings).map((statement) => [statement.Sid, [statement.Action, statement.Resource]]));
}

function common(fn: DeployedFunction): Record<string, [string[], unknown]> {
  return {
    OwnLogGroup: [['logs:CreateLogStream', 'logs:PutLogEvents'], [{ 'Fn::GetAtt': [fn.logGroupLogicalId, 'Arn'] }]],
    Tracing: [['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']],
  };
}

describe('the role of each function', () => {
  it('makes a role Lambda assumes, with one inline policy named after the function', () => {
    // when
    const role = roleOf(router, SETTINGS);
    // then
    expect(role).toMatchObject({
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'nexus-test-routerPipeline' }],
      },
    });
  });

  it('grants the API the event store (reads, conditional puts, condition checks), idempotency keys, rate limits, read models, schema reads and snapshots (get, conditional put)', () => {
    // given
    const api = FUNCTIONS[0] as DeployedFunction;
    // when
    const grants = grantsOf(api);
    // then
    expect(grants).toEqual({
      ...common(api),
      EventsAppendAndRead: [['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], [{ 'Fn::GetAtt': ['EventsTable', 'Arn'] }]],
      EventsTimeRange: [['dynamodb:Query'], [{ 'Fn::Sub': '${EventsTable.Arn}/index/TimestampIndex' }]],
      IdempotencyKeys: [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] }]],
      RateLimits: [['dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['RateLimitsTable', 'Arn'] }]],
      ReadModels: [ES, DOMAIN],
      SchemaRead: [['glue:GetSchemaVersion'], ['*']],
      Snapshots: [['dynamodb:GetItem', 'dynamodb:PutItem'], [{ 'Fn::GetAtt': ['SnapshotsTable', 'Arn'] }]],
    });
  });

  it('grants the snapshot sweep event queries (the table and its TimestampIndex), schema reads and the snapshots table only', () => {
    // given
    const sweep = FUNCTIONS[4] as DeployedFunction;
    // when
    const grants = grantsOf(sweep);
    // then
    expect(grants).toEqual({
      ...common(sweep),
      EventsRead: [['dynamodb:Query'], [{ 'Fn::GetAtt': ['EventsTable', 'Arn'] }]],
      EventsTimeRange: [['dynamodb:Query'], [{ 'Fn::Sub': '${EventsTable.Arn}/index/TimestampIndex' }]],
      SchemaRead: [['glue:GetSchemaVersion'], ['*']],
      Snapshots: [['dynamodb:GetItem', 'dynamodb:PutItem'], [{ 'Fn::GetAtt': ['SnapshotsTable', 'Arn'] }]],
    });
  });

  it('grants an events-sourced pipeline the table stream, parking, schema reads, and its ports: the core stream and the topics', () => {
    // when
    const grants = grantsOf(router);
    // then
    expect(grants).toEqual({
      ...common(router),
      EventsStreamRead: [['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], [{ 'Fn::Sub': '${EventsTable.Arn}/stream/*' }]],
      DeadLettersPark: [['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['DeadLettersTable', 'Arn'] }]],
      DeadLettersByPipeline: [['dynamodb:Query'], [{ 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByPipeline' }]],
      SchemaRead: [['glue:GetSchemaVersion'], ['*']],
      CoreStreamPublish: [['kinesis:PutRecord', 'kinesis:PutRecords'], [{ 'Fn::GetAtt': ['CoreStream', 'Arn'] }]],
      TopicsPublish: [['sns:Publish'], [{ Ref: 'OrderEventsTopic' }]],
      FailureQueueSend: [['sqs:SendMessage'], [{ 'Fn::GetAtt': ['RouterPipelineFailureQueue', 'Arn'] }]],
    });
  });

  it('grants a stream-sourced pipeline with enhanced fan-out the stream reads, its consumer, read models and its failure queue', () => {
    // when
    const grants = grantsOf(orderList);
    // then
    expect(grants).toEqual({
      ...common(orderList),
      CoreStreamRead: [
        ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        [{ 'Fn::GetAtt': ['CoreStream', 'Arn'] }],
      ],
      StreamsList: [['kinesis:ListStreams'], ['*']],
      CoreStreamConsumer: [['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'], [{ 'Fn::GetAtt': ['OrderListPipelineStreamConsumer', 'ConsumerARN'] }]],
      DeadLettersPark: [['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['DeadLettersTable', 'Arn'] }]],
      DeadLettersByPipeline: [['dynamodb:Query'], [{ 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByPipeline' }]],
      SchemaRead: [['glue:GetSchemaVersion'], ['*']],
      ReadModels: [ES, DOMAIN],
      FailureQueueSend: [['sqs:SendMessage'], [{ 'Fn::GetAtt': ['OrderListPipelineFailureQueue', 'Arn'] }]],
    });
  });

  it('grants a stream-sourced pipeline without fan-out no consumer, and one without an on-failure queue no send', () => {
    // given
    const plain = pipelineFunction('order-search', { type: 'stream', stream: 'core' }, { lambda: { onFailureQueue: false } });
    // when
    const grants = grantsOf(plain);
    // then
    expect(Object.keys(grants)).not.toContain('CoreStreamConsumer');
    expect(Object.keys(grants)).not.toContain('FailureQueueSend');
  });

  it('grants a queue-sourced pipeline the receive side of its own queue only', () => {
    // when
    const grants = grantsOf(orderNotices);
    // then
    expect(grants).toEqual({
      ...common(orderNotices),
      QueueRead: [['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], [{ 'Fn::GetAtt': ['OrderNoticesQueue', 'Arn'] }]],
      DeadLettersPark: [['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['DeadLettersTable', 'Arn'] }]],
      DeadLettersByPipeline: [['dynamodb:Query'], [{ 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByPipeline' }]],
      SchemaRead: [['glue:GetSchemaVersion'], ['*']],
      ReadModels: [ES, DOMAIN],
    });
  });

  it("grants the redrive the dead letters' resolve side, every pipeline's ports and the subscriber queues' dead-letter redrive", () => {
    // given
    const redrive = FUNCTIONS[1] as DeployedFunction;
    // when
    const grants = grantsOf(redrive);
    // then
    expect(grants).toEqual({
      ...common(redrive),
      DeadLettersResolve: [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['DeadLettersTable', 'Arn'] }]],
      DeadLettersList: [['dynamodb:Query'], [{ 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByPipeline' }, { 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByStatus' }]],
      SchemaRead: [['glue:GetSchemaVersion'], ['*']],
      ReadModels: [ES, DOMAIN],
      CoreStreamPublish: [['kinesis:PutRecord', 'kinesis:PutRecords'], [{ 'Fn::GetAtt': ['CoreStream', 'Arn'] }]],
      TopicsPublish: [['sns:Publish'], [{ Ref: 'OrderEventsTopic' }]],
      DeadLetterQueuesDrain: [['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], [{ 'Fn::GetAtt': ['OrderNoticesDeadLetterQueue', 'Arn'] }]],
      SubscriberQueuesRefill: [['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], [{ 'Fn::GetAtt': ['OrderNoticesQueue', 'Arn'] }]],
    });
  });

  it('grants the dead-letter gauge queries of the dead letters only, and the schema registration the Glue registry of the stage only', () => {
    // given
    const gauge = FUNCTIONS[2] as DeployedFunction;
    const schemas = FUNCTIONS[3] as DeployedFunction;
    // when
    const gaugeGrants = grantsOf(gauge);
    const schemaGrants = grantsOf(schemas);
    // then
    expect(gaugeGrants).toEqual({
      ...common(gauge),
      DeadLettersRead: [
        ['dynamodb:Query'],
        [{ 'Fn::GetAtt': ['DeadLettersTable', 'Arn'] }, { 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByPipeline' }, { 'Fn::Sub': '${DeadLettersTable.Arn}/index/ByStatus' }],
      ],
    });
    expect(schemaGrants).toEqual({
      ...common(schemas),
      SchemaRegistration: [
        ['glue:CreateSchema', 'glue:GetRegistry', 'glue:GetSchema', 'glue:GetSchemaByDefinition', 'glue:GetSchemaVersion', 'glue:RegisterSchemaVersion', 'glue:UpdateSchema'],
        GLUE,
      ],
    });
  });

  it('never grants an update or delete of events, nor any wildcard action, whatever the pipelines declare', () => {
    // given: every source, every subset of ports, with and without fan-out and failure queues
    const sources: DeployedSource[] = [{ type: 'events' }, { type: 'stream', stream: 'core' }, { type: 'queue', queue: 'order-notices' }];
    const portSets: PipelinePort[][] = [[], ['readModels'], ['publisher'], ['topics'], ['readModels', 'publisher', 'topics'], ['commands', 'sagas']];
    const pipelines = sources.flatMap((source, s) =>
      portSets.flatMap((uses, u) =>
        [true, false].map((flag) => pipelineFunction(`p-${s}-${u}-${String(flag)}`, source, { uses, lambda: source.type === 'stream' ? { enhancedFanOut: flag, onFailureQueue: !flag } : source.type === 'events' ? { onFailureQueue: flag } : {} })),
      ),
    );
    const functions = [...FUNCTIONS.filter((fn) => fn.kind !== 'pipeline'), fixedFn('sagaTimeouts', 'sagaTimeouts'), ...pipelines];
    const settings: RoleSettings = { stage: 'test', functions, topics: TOPICS };
    for (const fn of functions) {
      // when
      const statements = statementsOf(fn, settings);
      // then
      for (const statement of statements) {
        const onEvents = statement.Resource.some((resource) => resource === '*' || JSON.stringify(resource).includes('EventsTable'));
        const forbidden = onEvents ? statement.Action.filter((action) => MUTATIONS.includes(action)) : [];
        expect({ fn: fn.key, sid: statement.Sid, forbidden }).toEqual({ fn: fn.key, sid: statement.Sid, forbidden: [] });
        expect(statement.Action.filter((action) => action.includes('*'))).toEqual([]);
      }
    }
  });

  it('grants a saga pipeline the event store (its stream and its commands), idempotency keys, snapshots and the saga deadlines, besides its source', () => {
    // given the fulfilment pipeline, on the core stream, using the commands and sagas ports
    const fulfilment = pipelineFunction('fulfilment', { type: 'stream', stream: 'core' }, { uses: ['commands', 'sagas'] });
    // when
    const grants = grantsOf(fulfilment, { ...SETTINGS, functions: [...FUNCTIONS, fulfilment] });
    // then
    expect(grants).toMatchObject({
      EventsAppendAndRead: [['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], [{ 'Fn::GetAtt': ['EventsTable', 'Arn'] }]],
      IdempotencyKeys: [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] }]],
      Snapshots: [['dynamodb:GetItem', 'dynamodb:PutItem'], [{ 'Fn::GetAtt': ['SnapshotsTable', 'Arn'] }]],
      SagaDeadlines: [['dynamodb:DeleteItem', 'dynamodb:PutItem'], [{ 'Fn::GetAtt': ['SagaDeadlinesTable', 'Arn'] }]],
      SagaDeadlinesDue: [['dynamodb:Query'], [{ 'Fn::Sub': '${SagaDeadlinesTable.Arn}/index/ByDueAt' }]],
    });
    expect(Object.keys(grants)).not.toContain('ReadModels');
  });

  it('grants the saga timer the event store, idempotency keys, snapshots, schema reads and the saga deadlines only', () => {
    // given
    const timer = fixedFn('sagaTimeouts', 'sagaTimeouts');
    // when
    const grants = grantsOf(timer);
    // then
    expect(Object.keys(grants).sort()).toEqual(
      ['OwnLogGroup', 'Tracing', 'EventsAppendAndRead', 'EventsTimeRange', 'IdempotencyKeys', 'Snapshots', 'SchemaRead', 'SagaDeadlines', 'SagaDeadlinesDue'].sort(),
    );
  });
});
