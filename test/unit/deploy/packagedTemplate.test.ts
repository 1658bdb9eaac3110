import { packagedService } from '../../support/packagedService';
import type { CloudFormationResource, CloudFormationTemplate } from '../../support/packagedService';
import { functionsOfDeclarations } from '../../../deploy/template';
import type { DeployedFunction } from '../../../deploy/DeployedFunction';

/** DynamoDB actions that change or remove an existing item. */
const MUTATIONS = ['dynamodb:updateitem', 'dynamodb:deleteitem', 'dynamodb:batchwriteitem', 'dynamodb:partiqlupdate', 'dynamodb:partiqldelete'];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function resourcesOfType(template: CloudFormationTemplate, type: string): [string, CloudFormationResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function statementsOf(role: CloudFormationResource): Statement[] {
  const policies = (role.Properties?.['Policies'] ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

function actionsOf(statement: Statement): string[] {
  return (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).map((action) => action.toLowerCase());
}

function grants(pattern: string, action: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action);
}

function mappingOf(template: CloudFormationTemplate, fn: DeployedFunction): Record<string, unknown> | undefined {
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(([, resource]) => JSON.stringify(resource.Properties?.['FunctionName']).includes(`"${fn.logicalId}"`));
  expect({ fn: fn.key, mappings: mappings.length }).toEqual({ fn: fn.key, mappings: 1 });
  return mappings[0]?.[1].Properties;
}

describe('the packaged CloudFormation template', () => {
  let template: CloudFormationTemplate;
  const functions = functionsOfDeclarations();

  beforeAll(async () => {
    ({ template } = await packagedService());
  }, 600_000);

  it('runs every function on nodejs22.x arm64 with active tracing, each with its own role', () => {
    const roles = new Set<string>();
    for (const fn of functions) {
      // when
      const properties = template.Resources[fn.logicalId]?.Properties ?? {};
      // then
      expect({ fn: fn.key, runtime: properties['Runtime'], architectures: properties['Architectures'], tracing: properties['TracingConfig'] }).toEqual({
        fn: fn.key,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        tracing: { Mode: 'Active' },
      });
      expect(properties['Role']).toEqual({ 'Fn::GetAtt': [fn.roleLogicalId, 'Arn'] });
      expect(template.Resources[fn.roleLogicalId]?.Type).toBe('AWS::IAM::Role');
      roles.add(fn.roleLogicalId);
    }
    expect(roles.size).toBe(functions.length);
    expect(template.Resources).not.toHaveProperty('IamRoleLambdaExecution');
  });

  it("maps every pipeline function to its source with the declaration's settings and partial batch responses", () => {
    for (const fn of functions.filter((candidate) => candidate.pipeline)) {
      const pipeline = fn.pipeline;
      if (!pipeline) continue;
      // when
      const mapping = mappingOf(template, fn) ?? {};
      // then
      const expectedSource = pipeline.source.type === 'events' ? ['EventsTable', 'StreamArn'] : pipeline.source.type === 'stream' ? ['CoreStream', 'Arn'] : undefined;
      if (expectedSource) {
        expect(mapping).toMatchObject({
          EventSourceArn: { 'Fn::GetAtt': expectedSource },
          BatchSize: pipeline.lambda.batchSize,
          MaximumBatchingWindowInSeconds: pipeline.lambda.maximumBatchingWindowSeconds,
          ParallelizationFactor: pipeline.lambda.parallelizationFactor,
          StartingPosition: pipeline.lambda.startingPosition,
          MaximumRetryAttempts: pipeline.lambda.maximumRetryAttempts,
          MaximumRecordAgeInSeconds: pipeline.lambda.maximumRecordAgeSeconds,
          BisectBatchOnFunctionError: pipeline.lambda.bisectBatchOnFunctionError,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
        if (pipeline.lambda.onFailureQueue) expect(JSON.stringify(mapping['DestinationConfig'])).toContain('FailureQueue');
      } else {
        expect(mapping).toMatchObject({ BatchSize: pipeline.lambda.batchSize, FunctionResponseTypes: ['ReportBatchItemFailures'] });
        expect(JSON.stringify(mapping['EventSourceArn'])).toMatch(/Queue/);
      }
    }
  });

  it('grants no role an update or delete of events', () => {
    for (const [logicalId, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      for (const statement of statementsOf(role).filter((candidate) => candidate.Effect === 'Allow')) {
        const onEvents = JSON.stringify(statement.Resource).includes('EventsTable') || JSON.stringify(statement.Resource).includes('"*"');
        if (!onEvents) continue;
        // then
        const forbidden = actionsOf(statement).filter((granted) => MUTATIONS.some((action) => grants(granted, action)));
        expect({ role: logicalId, forbidden }).toEqual({ role: logicalId, forbidden: [] });
      }
    }
  });

  it('grants no wildcard action', () => {
    for (const [logicalId, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      const wildcards = statementsOf(role).flatMap(actionsOf).filter((action) => action === '*' || action.endsWith(':*'));
      expect({ role: logicalId, wildcards }).toEqual({ role: logicalId, wildcards: [] });
    }
  });

  it('keeps the events table: stream of new images, point-in-time recovery, deletion protection, retained', () => {
    // when
    const table = template.Resources['EventsTable'];
    // then
    expect(table).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      Properties: {
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
    expect(JSON.stringify(table?.Properties?.['GlobalSecondaryIndexes'])).toContain('TimestampIndex');
  });

  it('encrypts the core stream and gives every subscriber queue a dead-letter queue', () => {
    // then
    expect(template.Resources['CoreStream']?.Properties?.['StreamEncryption']).toMatchObject({ EncryptionType: 'KMS' });
    const queues = resourcesOfType(template, 'AWS::SQS::Queue').filter(([, queue]) => queue.Properties?.['RedrivePolicy'] !== undefined);
    expect(queues.length).toBeGreaterThan(0);
    for (const [, queue] of queues) expect(queue.Properties?.['RedrivePolicy']).toMatchObject({ maxReceiveCount: 5 });
  });

  it('registers the schemas before any function changes', () => {
    // then
    expect(template.Resources['NexusSchemas']).toMatchObject({ Type: 'Custom::NexusSchemas' });
    for (const fn of functions.filter((candidate) => candidate.kind !== 'schemas')) {
      const dependsOn = [template.Resources[fn.logicalId]?.DependsOn ?? []].flat();
      expect({ fn: fn.key, registeredFirst: dependsOn.includes('NexusSchemas') }).toEqual({ fn: fn.key, registeredFirst: true });
    }
  });

  it('alarms on projection lag, dead letters, parked records, command errors and throttling', () => {
    // when
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
    const metrics = alarms.map((alarm) => JSON.stringify(alarm));
    // then
    for (const fn of functions.filter((candidate) => candidate.pipeline)) {
      expect({ pipeline: fn.pipeline?.name, lagAlarm: metrics.some((alarm) => alarm.includes('PipelineLag') && alarm.includes(`"${fn.pipeline?.name}"`)) }).toEqual({ pipeline: fn.pipeline?.name, lagAlarm: true });
      expect({ pipeline: fn.pipeline?.name, parkedAlarm: metrics.some((alarm) => alarm.includes('ParkedRecords') && alarm.includes(`"${fn.pipeline?.name}"`)) }).toEqual({ pipeline: fn.pipeline?.name, parkedAlarm: true });
    }
    expect(metrics.some((alarm) => alarm.includes('ApproximateNumberOfMessagesVisible'))).toBe(true);
    expect(metrics.some((alarm) => alarm.includes('CommandErrors'))).toBe(true);
    expect(metrics.some((alarm) => /Throttl/.test(alarm))).toBe(true);
    expect(resourcesOfType(template, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('runs the snapshot sweep hourly on an EventBridge schedule, and expires snapshots by the TTL of their table', () => {
    // when
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties ?? {});
    const sweepRules = rules.filter((rule) => JSON.stringify(rule['Targets']).includes('"SnapshotSweepLambdaFunction"'));
    // then
    expect(sweepRules).toEqual([expect.objectContaining({ ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' })]);
    expect(template.Resources['SnapshotsTable']?.Properties?.['TimeToLiveSpecification']).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('keeps logs 30 days', () => {
    for (const [, group] of resourcesOfType(template, 'AWS::Logs::LogGroup')) expect(group.Properties?.['RetentionInDays']).toBe(30);
  });
});
