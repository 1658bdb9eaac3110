import { of } from 'rxjs';
import { definePipeline } from '../../../core/pipeline/PipelineDefinition';
import type { PipelineDefinition } from '../../../core/pipeline/PipelineDefinition';
import { subscriberQueue } from '../../../core/streams/RecordSource';
import { apiEnvironment, sharedEnvironment } from '../../../deploy/environment';
import { deployedFunctions, DeploymentDeclarationError } from '../../../deploy/functions';
import { streamLogicalId } from '../../../deploy/resources/stream';
import { serverlessFunctions } from '../../../deploy/serverlessFunctions';
import type { EventSourceIds } from '../../../deploy/serverlessFunctions';
import { pipelines, topics } from '../../../pipelines';

const ids: EventSourceIds = {
  queueLogicalId: (queue) => `Q_${queue}`,
  streamLogicalId,
  failureQueueLogicalId: (fn) => `F_${fn.key}`,
  streamConsumerLogicalId: (fn) => `C_${fn.key}`,
};

function pipeline(overrides: Partial<PipelineDefinition> & Pick<PipelineDefinition, 'name' | 'source'>): PipelineDefinition {
  return definePipeline({ pipe: () => of(), ...overrides });
}

describe('deployedFunctions', () => {
  it('makes the fixed functions and one consumer per declared pipeline, in declaration order', () => {
    // given the repository's declarations
    // when
    const functions = deployedFunctions({ pipelines, topics });
    // then
    expect(functions.map((fn) => [fn.key, fn.kind, fn.handler])).toEqual([
      ['api', 'api', 'handlers/aws/lambda/api.handler'],
      ['redrive', 'redrive', 'handlers/aws/lambda/redrive.handler'],
      ['deadLetterGauge', 'deadLetterGauge', 'handlers/aws/lambda/deadLetterGauge.handler'],
      ['schemas', 'schemas', 'handlers/aws/lambda/registerSchemas.handler'],
      ['snapshotSweep', 'snapshotSweep', 'handlers/aws/lambda/snapshotSweep.handler'],
      ['webSocket', 'webSocket', 'handlers/aws/lambda/webSocket.handler'],
      ['sagaTimeouts', 'sagaTimeouts', 'handlers/aws/lambda/sagaTimeouts.handler'],
      ['routerPipeline', 'pipeline', 'handlers/aws/lambda/pipeline.handler'],
      ['orderListPipeline', 'pipeline', 'handlers/aws/lambda/pipeline.handler'],
      ['orderNoticesPipeline', 'pipeline', 'handlers/aws/lambda/pipeline.handler'],
      ['fulfilmentPipeline', 'pipeline', 'handlers/aws/lambda/pipeline.handler'],
    ]);
    expect(functions.find((fn) => fn.key === 'orderListPipeline')).toMatchObject({ logicalId: 'OrderListPipelineLambdaFunction', roleLogicalId: 'OrderListPipelineRole', logGroupLogicalId: 'OrderListPipelineLogGroup' });
  });

  it("picks each pipeline's source from its declaration and its ports from `uses`", () => {
    // given
    const functions = deployedFunctions({ pipelines, topics });
    // when
    const byName = Object.fromEntries(functions.filter((fn) => fn.pipeline).map((fn) => [fn.pipeline?.name, fn.pipeline]));
    // then
    expect(byName['router']).toMatchObject({ source: { type: 'events' }, uses: ['publisher', 'topics'] });
    expect(byName['order-list']).toMatchObject({ source: { type: 'stream', stream: 'core' }, uses: ['readModels', 'notifications'] });
    expect(byName['order-notices']).toMatchObject({ source: { type: 'queue', queue: 'order-notices' }, uses: ['readModels'] });
  });

  it('fills the mapping defaults per source kind, and the declared settings win', () => {
    // given
    const tuned = pipeline({ name: 'tuned', source: 'core', lambda: { batchSize: 500, parallelizationFactor: 4, maximumRecordAgeSeconds: 3600, enhancedFanOut: true } });
    const queued = pipeline({ name: 'queued', source: subscriberQueue('order-notices') });
    // when
    const [tunedFn, queuedFn] = deployedFunctions({ pipelines: [tuned, queued], topics }).filter((fn) => fn.kind === 'pipeline');
    // then
    expect(tunedFn?.pipeline?.lambda).toEqual({
      batchSize: 500,
      maximumBatchingWindowSeconds: 0,
      parallelizationFactor: 4,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: 3600,
      onFailureQueue: true,
      startingPosition: 'TRIM_HORIZON',
      enhancedFanOut: true,
      memorySize: 1024,
      timeoutSeconds: 60,
    });
    // a queue's function may not outlive the message's visibility (30 s declared in pipelines/routing.ts)
    expect(queuedFn?.pipeline?.lambda).toMatchObject({ batchSize: 10, timeoutSeconds: 30, onFailureQueue: false });
  });

  it.each([
    ['an unknown source', { name: 'lost', source: 'nowhere' }, /source "nowhere" is neither/],
    ['a stream-only setting on a queue source', { name: 'q', source: subscriberQueue('order-notices'), lambda: { parallelizationFactor: 2 } }, /lambda.parallelizationFactor applies to stream sources only/],
    ['enhanced fan-out off Kinesis', { name: 'e', source: 'events', lambda: { enhancedFanOut: true } }, /lambda.enhancedFanOut applies to Kinesis streams only/],
    ['a timeout over the queue visibility', { name: 'slow', source: subscriberQueue('order-notices'), lambda: { timeoutSeconds: 60 } }, /lambda.timeoutSeconds 60 exceeds its queue's visibility timeout \(30 s\)/],
    ['more than 10 SQS messages without a window', { name: 'big', source: subscriberQueue('order-notices'), lambda: { batchSize: 100 } }, /needs lambda.maximumBatchingWindowSeconds/],
  ] as const)('refuses %s, naming the pipeline and field', (_case, declaration, message) => {
    // given
    const declared = pipeline(declaration as Pick<PipelineDefinition, 'name' | 'source'>);
    // when
    const generate = () => deployedFunctions({ pipelines: [declared], topics });
    // then
    expect(generate).toThrow(DeploymentDeclarationError);
    expect(generate).toThrow(message);
  });

  it('refuses a subscriber queue no topic declares', () => {
    // given
    const declared = pipeline({ name: 'orphan', source: subscriberQueue('nobody') });
    // when / then
    expect(() => deployedFunctions({ pipelines: [declared], topics })).toThrow(/no topic declares a subscriber queue "nobody"/);
  });

  it('refuses two pipelines whose function keys collide', () => {
    // given two names that camel-case alike
    const declared = [pipeline({ name: 'v-2list', source: 'core' }), pipeline({ name: 'v2list', source: 'core' })];
    // when / then
    expect(() => deployedFunctions({ pipelines: declared, topics })).toThrow(/pipeline "v2list": its function key "v2listPipeline" is taken/);
  });
});

describe('definePipeline deployment settings', () => {
  it.each([
    [{ uses: ['database'] }, /uses\[0\] must be one of readModels, publisher, topics, .*; got "database"/],
    [{ lambda: { batchSize: 0 } }, /lambda.batchSize must be an integer from 1 to 10000; got 0/],
    [{ lambda: { parallelizationFactor: 11 } }, /lambda.parallelizationFactor must be an integer from 1 to 10/],
    [{ lambda: { maximumRecordAgeSeconds: 30 } }, /lambda.maximumRecordAgeSeconds must be -1 or an integer from 60 to 604800/],
    [{ lambda: { startingPosition: 'AT_TIMESTAMP' } }, /lambda.startingPosition must be TRIM_HORIZON or LATEST/],
  ])('refuses %j naming the field', (settings, message) => {
    // when / then
    expect(() => pipeline({ name: 'p', source: 'core', ...(settings as Partial<PipelineDefinition>) })).toThrow(message);
  });
});

describe('serverlessFunctions', () => {
  const functions = serverlessFunctions(deployedFunctions({ pipelines, topics }), ids);

  it('gives every function its own role and the pipelines their pipeline name', () => {
    // then
    for (const [key, fn] of Object.entries(functions)) expect(fn['role']).toBe(`${key.charAt(0).toUpperCase()}${key.slice(1)}Role`);
    expect(functions['orderListPipeline']?.['environment']).toEqual({ NEXUS_PIPELINE: 'order-list' });
  });

  it("maps the router to the events table's stream with partial batch responses and an on-failure queue", () => {
    // then
    expect(functions['routerPipeline']?.['events']).toEqual([
      {
        stream: {
          type: 'dynamodb',
          arn: { 'Fn::GetAtt': ['EventsTable', 'StreamArn'] },
          batchSize: 100,
          batchWindow: 0,
          parallelizationFactor: 1,
          startingPosition: 'TRIM_HORIZON',
          maximumRetryAttempts: -1,
          maximumRecordAgeInSeconds: -1,
          bisectBatchOnFunctionError: false,
          functionResponseType: 'ReportBatchItemFailures',
          destinations: { onFailure: { arn: { 'Fn::GetAtt': ['F_routerPipeline', 'Arn'] }, type: 'sqs' } },
        },
      },
    ]);
  });

  it('maps a core-stream pipeline to Kinesis, through its consumer when it asks for enhanced fan-out', () => {
    // given
    const fanOut = pipeline({ name: 'fan-out', source: 'core', lambda: { enhancedFanOut: true, onFailureQueue: false } });
    // when
    const fn = serverlessFunctions(deployedFunctions({ pipelines: [fanOut], topics }), ids)['fanOutPipeline'];
    // then
    const stream = (fn?.['events'] as { stream: Record<string, unknown> }[])[0]?.stream;
    expect(stream).toMatchObject({ type: 'kinesis', arn: { 'Fn::GetAtt': ['CoreStream', 'Arn'] }, consumer: { 'Fn::GetAtt': ['C_fanOutPipeline', 'ConsumerARN'] } });
    expect(stream).not.toHaveProperty('destinations');
  });

  it('maps a subscriber-queue pipeline to its SQS queue', () => {
    // then
    expect(functions['orderNoticesPipeline']).toMatchObject({
      timeout: 30,
      events: [{ sqs: { arn: { 'Fn::GetAtt': ['Q_order-notices', 'Arn'] }, batchSize: 10, maximumBatchingWindow: 0, functionResponseType: 'ReportBatchItemFailures' } }],
    });
  });

  it('serves the API over the HTTP API and runs the gauge every minute', () => {
    // then
    expect(functions['api']?.['events']).toEqual([{ httpApi: '*' }]);
    expect(functions['deadLetterGauge']?.['events']).toEqual([{ schedule: 'rate(1 minute)' }]);
    expect(functions['redrive']).not.toHaveProperty('events');
  });

  it('runs the snapshot sweep hourly on an EventBridge schedule', () => {
    // then
    expect(functions['snapshotSweep']).toMatchObject({ handler: 'handlers/aws/lambda/snapshotSweep.handler', role: 'SnapshotSweepRole', events: [{ schedule: 'rate(1 hour)' }] });
  });
});

describe('the API function environment', () => {
  it('carries the token settings given as stage parameters, and leaves empty ones out', () => {
    // given
    const environment = apiEnvironment({ jwksUrl: 'https://id.example.com/.well-known/jwks.json', jwtIssuer: '', jwtAudience: 'nexus' });
    // when
    const fn = serverlessFunctions(deployedFunctions({ pipelines, topics }), ids, { apiEnvironment: environment })['api'];
    // then
    expect(fn?.['environment']).toEqual({
      NEXUS_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      NEXUS_JWT_AUDIENCE: 'nexus',
      NEXUS_TEMPORAL_CONTINUATION_KEY: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'TemporalContinuationKey' }, ':SecretString}}']] },
    });
  });

  it('gives every function the resource names the handlers read, and no secret', () => {
    // when
    const environment = sharedEnvironment({ stage: 'prod' });
    // then
    expect(environment).toMatchObject({ NEXUS_STAGE: 'prod', NEXUS_EVENTS_TABLE: { Ref: 'EventsTable' }, NEXUS_GLUE_REGISTRY: 'nexus-prod-schemas', NEXUS_OPENSEARCH_AUTH: 'sigv4', POWERTOOLS_SERVICE_NAME: 'nexus-prod' });
    expect(Object.keys(environment).filter((name) => /SECRET|PASSWORD|KEY$/.test(name))).toEqual([]);
  });
});
