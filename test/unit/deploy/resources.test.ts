import { DEAD_LETTER_TABLE } from '../../../adapters/aws/tables/deadLetterTable';
import { EVENTS_TABLE } from '../../../adapters/aws/tables/eventsTable';
import { SNAPSHOTS_TABLE } from '../../../adapters/aws/tables/snapshotsTable';
import type { TopicDeclaration } from '../../../core/messaging/Topic';
import type { CfnResource } from '../../../deploy/cloudFormation';
import type { DeployedFunction } from '../../../deploy/DeployedFunction';
import { resourcesOf } from '../../../deploy/resources/resourcesOf';
import { SearchDomainNameError, searchDomainResources } from '../../../deploy/resources/searchDomain';
import { stackTables, tableResource } from '../../../deploy/resources/tables';
import { fixedFunction as fixedFn, pipelineFunction as pipelineFn } from '../../support/deployedFunctions';

const TOPICS: TopicDeclaration[] = [
  { name: 'order-events', subscriptions: [{ queue: 'order-notices', ordering: 'per-key', maxReceiveCount: 4, filter: { eventType: ['OrderConfirmed'] } }, { queue: 'audit', ordering: 'none' }] },
];

const FUNCTIONS: DeployedFunction[] = [
  fixedFn('api', 'api'),
  fixedFn('redrive', 'redrive'),
  fixedFn('deadLetterGauge', 'deadLetterGauge'),
  fixedFn('schemas', 'schemas'),
  pipelineFn('router', { type: 'events' }, { uses: ['publisher', 'topics'] }),
  pipelineFn('order-list', { type: 'stream', stream: 'core' }, { lambda: { enhancedFanOut: true } }),
  pipelineFn('order-search', { type: 'stream', stream: 'core' }, { lambda: { onFailureQueue: false } }),
  pipelineFn('order-notices', { type: 'queue', queue: 'order-notices' }, { uses: [] }),
];

function resourcesOfStage(): Record<string, CfnResource> {
  return resourcesOf(FUNCTIONS, { stage: 'test', topics: TOPICS });
}

function properties(resource: CfnResource | undefined): Record<string, unknown> {
  return (resource?.Properties ?? {}) as Record<string, unknown>;
}

describe('the stack resources', () => {
  it('converts every table from its adapter definition: keys, indexes, stream and TTL as declared, on demand, encrypted', () => {
    // given
    const tables = stackTables('test');
    for (const table of tables) {
      // when
      const resource = tableResource(table);
      // then
      const { definition } = table;
      expect(resource.Type).toBe('AWS::DynamoDB::Table');
      expect(properties(resource)).toMatchObject({
        TableName: table.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: definition.AttributeDefinitions,
        KeySchema: definition.KeySchema,
        SSESpecification: { SSEEnabled: true },
      });
      expect(properties(resource)['GlobalSecondaryIndexes']).toEqual(definition.GlobalSecondaryIndexes);
      expect(properties(resource)['TimeToLiveSpecification']).toEqual(definition.TimeToLiveSpecification);
      expect(properties(resource)['StreamSpecification']).toEqual(definition.StreamSpecification ? { StreamViewType: definition.StreamSpecification.StreamViewType } : undefined);
    }
    expect(tables.map((table) => table.logicalId)).toEqual(['EventsTable', 'IdempotencyTable', 'RateLimitsTable', 'CheckpointsTable', 'DeadLettersTable', 'LeasesTable', 'SnapshotsTable', 'ReadModelVersionsTable', 'ConnectionsTable', 'NotificationLogTable', 'SagaDeadlinesTable']);
    expect(tables.map((table) => table.tableName)).toContain('nexus-test-events');
  });

  it('keeps the events table: TimestampIndex, stream of new images, point-in-time recovery, deletion protection, retained', () => {
    // when
    const events = resourcesOfStage()['EventsTable'];
    // then
    expect(events).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        GlobalSecondaryIndexes: EVENTS_TABLE.GlobalSecondaryIndexes,
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('gives the snapshot table its TTL and the dead-letter table point-in-time recovery, neither retained', () => {
    // when
    const resources = resourcesOfStage();
    // then
    expect(properties(resources['SnapshotsTable'])).toMatchObject({ TableName: 'nexus-test-snapshots', KeySchema: SNAPSHOTS_TABLE.KeySchema, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    expect(properties(resources['DeadLettersTable'])).toMatchObject({ GlobalSecondaryIndexes: DEAD_LETTER_TABLE.GlobalSecondaryIndexes, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    expect(resources['SnapshotsTable']?.DeletionPolicy).toBeUndefined();
    expect(properties(resources['LeasesTable'])['DeletionProtectionEnabled']).toBeUndefined();
  });

  it('encrypts the core stream with the Kinesis managed key, on demand, and adds a fan-out consumer only for pipelines that ask for one', () => {
    // when
    const resources = resourcesOfStage();
    // then
    expect(resources['CoreStream']).toEqual({
      Type: 'AWS::Kinesis::Stream',
      Properties: { Name: 'nexus-test-core', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, RetentionPeriodHours: 24, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } },
    });
    const consumers = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Kinesis::StreamConsumer');
    expect(consumers).toEqual([
      ['OrderListPipelineStreamConsumer', { Type: 'AWS::Kinesis::StreamConsumer', Properties: { ConsumerName: 'nexus-test-orderListPipeline', StreamARN: { 'Fn::GetAtt': ['CoreStream', 'Arn'] } } }],
    ]);
  });

  it('gives every subscriber queue a dead-letter queue with the declared receive count, SSE, and a policy only its topic passes', () => {
    // when
    const resources = resourcesOfStage();
    // then
    expect(properties(resources['OrderNoticesQueue'])).toEqual({
      QueueName: 'nexus-test-order-notices.fifo',
      SqsManagedSseEnabled: true,
      FifoQueue: true,
      ContentBasedDeduplication: false,
      VisibilityTimeout: 30,
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['OrderNoticesDeadLetterQueue', 'Arn'] }, maxReceiveCount: 4 },
    });
    expect(properties(resources['OrderNoticesDeadLetterQueue'])).toMatchObject({
      QueueName: 'nexus-test-order-notices-dlq.fifo',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:nexus-test-order-notices.fifo' }] },
    });
    expect(properties(resources['OrderNoticesQueuePolicy'])).toEqual({
      Queues: [{ Ref: 'OrderNoticesQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TopicSendsToQueue',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': ['OrderNoticesQueue', 'Arn'] },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'OrderEventsTopic' } } },
          },
        ],
      },
    });
    expect(properties(resources['AuditDeadLetterQueue'])).toMatchObject({ QueueName: 'nexus-test-audit-dlq', SqsManagedSseEnabled: true });
    expect(properties(resources['AuditQueue'])['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['AuditDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
  });

  it('subscribes each queue raw, with its filter policy, after its queue policy; the topic is encrypted and FIFO when a subscriber keeps order', () => {
    // when
    const resources = resourcesOfStage();
    // then
    expect(resources['OrderNoticesQueueSubscription']).toEqual({
      Type: 'AWS::SNS::Subscription',
      DependsOn: 'OrderNoticesQueuePolicy',
      Properties: {
        TopicArn: { Ref: 'OrderEventsTopic' },
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': ['OrderNoticesQueue', 'Arn'] },
        RawMessageDelivery: true,
        FilterPolicy: { eventType: ['OrderConfirmed'] },
        FilterPolicyScope: 'MessageAttributes',
      },
    });
    expect(properties(resources['AuditQueueSubscription'])['FilterPolicy']).toBeUndefined();
    expect(properties(resources['OrderEventsTopic'])).toEqual({ TopicName: 'nexus-test-order-events.fifo', KmsMasterKeyId: 'alias/aws/sns', FifoTopic: true, ContentBasedDeduplication: false });
  });

  it('gives an on-failure queue to each stream-sourced pipeline that keeps one, and none to queue-sourced ones', () => {
    // when
    const resources = resourcesOfStage();
    // then
    const failureQueues = Object.keys(resources).filter((id) => id.endsWith('FailureQueue'));
    expect(failureQueues).toEqual(['RouterPipelineFailureQueue', 'OrderListPipelineFailureQueue']);
    expect(properties(resources['RouterPipelineFailureQueue'])).toEqual({ QueueName: 'nexus-test-routerPipeline-failures', MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
  });

  it('encrypts the search domain at rest and between nodes, takes HTTPS with TLS 1.2 only, and lets in only the roles that use read models', () => {
    // when
    const domain = resourcesOfStage()['SearchDomain'];
    // then
    expect(domain?.Type).toBe('AWS::OpenSearchService::Domain');
    expect(properties(domain)).toMatchObject({
      DomainName: 'nexus-test',
      EngineVersion: 'OpenSearch_2.19',
      ClusterConfig: { InstanceType: 't3.small.search', InstanceCount: 1, ZoneAwarenessEnabled: false },
      EBSOptions: { EBSEnabled: true, VolumeType: 'gp3', VolumeSize: 10 },
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
      AccessPolicies: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ['ApiRole', 'RedriveRole', 'OrderListPipelineRole', 'OrderSearchPipelineRole'].map((role) => ({ 'Fn::GetAtt': [role, 'Arn'] })) },
            Action: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut'],
            Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/nexus-test/*' },
          },
        ],
      },
    });
  });

  it('sizes the search domain from the stage settings, over two zones when it has several nodes', () => {
    // when
    const domain = searchDomainResources('prod', FUNCTIONS, { instanceType: 'r7g.large.search', instanceCount: 2, volumeSizeGiB: 100 })['SearchDomain'];
    // then
    expect(properties(domain)).toMatchObject({
      ClusterConfig: { InstanceType: 'r7g.large.search', InstanceCount: 2, ZoneAwarenessEnabled: true, ZoneAwarenessConfig: { AvailabilityZoneCount: 2 } },
      EBSOptions: { VolumeSize: 100 },
    });
  });

  it('refuses a stage whose domain name OpenSearch would refuse, naming the name', () => {
    // when
    const build = (): unknown => searchDomainResources('a-stage-name-far-too-long-for-it', FUNCTIONS);
    // then
    expect(build).toThrow(SearchDomainNameError);
    expect(build).toThrow('"nexus-a-stage-name-far-too-long-for-it"');
  });
});
