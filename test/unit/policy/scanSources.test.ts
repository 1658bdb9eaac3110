import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scanSources } from '../../../scripts/policy/scanSources';
import type { ScannedModule } from '../../../scripts/policy/scanSources';
import { scanInfrastructure } from '../../../scripts/policy/scanServerless';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nexus-scan-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function scanned(file: string): ScannedModule {
  const module = scanSources(root).find((candidate) => candidate.file === file);
  if (!module) throw new Error(`${file} was not scanned`);
  return module;
}

describe('scanSources', () => {
  it('resolves relative imports, re-exports and requires to layers and adapters', () => {
    // given
    write('adapters/aws/Store.ts', [
      "import type { EventStore } from '../../core/events/EventStore';",
      "import { helper } from '../embedded';",
      "export { other } from './Other';",
      "const lib = require('../../handlers/local/config');",
      "import { S3Client } from '@aws-sdk/client-s3';",
    ].join('\n'));
    // when
    const module = scanned('adapters/aws/Store.ts');
    // then
    expect(module.layer).toBe('adapters');
    expect(module.adapter).toBe('aws');
    expect(module.imports.map(({ specifier, layer, adapter, line }) => ({ specifier, layer, adapter, line }))).toEqual([
      { specifier: '../../core/events/EventStore', layer: 'core', adapter: null, line: 1 },
      { specifier: '../embedded', layer: 'adapters', adapter: 'embedded', line: 2 },
      { specifier: './Other', layer: 'adapters', adapter: 'aws', line: 3 },
      { specifier: '../../handlers/local/config', layer: 'handlers', adapter: null, line: 4 },
      { specifier: '@aws-sdk/client-s3', layer: 'external', adapter: null, line: 5 },
    ]);
  });

  it('records direct HTTP and Lambda calls', () => {
    // given
    write('handlers/aws/relay.ts', [
      "import { request } from 'node:https';",
      "import * as http from 'node:http';",
      "import { InvokeCommand } from '@aws-sdk/client-lambda';",
      'request("https://other.service/api");',
      'http.get("http://other.service/api");',
      'void fetch("https://other.service/api");',
    ].join('\n'));
    // when
    const { serviceCalls } = scanned('handlers/aws/relay.ts');
    // then
    expect(serviceCalls.map((call) => [call.kind, call.line])).toEqual([
      ['lambda-invoke', 3],
      ['http-request', 4],
      ['http-request', 5],
      ['fetch', 6],
    ]);
  });

  it('records SQL writes but not triggers that refuse them', () => {
    // given
    write('adapters/embedded/Table.ts', [
      "const trigger = 'CREATE TRIGGER t BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, \"no\"); END';",
      "const upsert = 'INSERT INTO checkpoints VALUES (?) ON CONFLICT (id) DO UPDATE SET position = 1';",
      'const fix = `UPDATE "events" SET payload = ${"?"}`;',
      "const purge = 'DELETE FROM read_models WHERE id = ?';",
    ].join('\n'));
    // when
    const { storeWrites } = scanned('adapters/embedded/Table.ts');
    // then
    expect(storeWrites.map((write) => [write.table, write.line])).toEqual([
      ['events', 3],
      ['read_models', 4],
    ]);
  });

  it('records emitted event types of the domain and ofType filters of pipelines', () => {
    // given
    write('domain/order/Events.ts', "export type Placed = DomainEvent<'OrderPlaced', { id: string }>;");
    write('pipelines/list.ts', "records$.pipe(ofType('OrderPlaced', 'OrderCancelled'));");
    // when
    const domain = scanned('domain/order/Events.ts');
    const pipeline = scanned('pipelines/list.ts');
    // then
    expect(domain.emittedEvents).toEqual([{ eventType: 'OrderPlaced', line: 1 }]);
    expect(pipeline.ofTypes.map((filter) => filter.eventType)).toEqual(['OrderPlaced', 'OrderCancelled']);
  });
});

describe('scanInfrastructure', () => {
  it('reads IAM statements with CloudFormation short tags, per-function statements and IAM roles', () => {
    // given
    write('serverless.yml', [
      'provider:',
      '  iam:',
      '    role:',
      '      statements:',
      '        - Effect: Allow',
      '          Action: dynamodb:PutItem',
      '          Resource: !GetAtt EventsTable.Arn',
      'functions:',
      '  router:',
      '    iamRoleStatements:',
      '      - Effect: Allow',
      '        Action: [kinesis:PutRecords]',
      "        Resource: !Sub 'arn:aws:kinesis:*:*:stream/core'",
      'resources:',
      '  Resources:',
      '    EventsTable:',
      '      Type: AWS::DynamoDB::Table',
      '      Properties: { TableName: nexus-events }',
      '    Extra:',
      '      Type: AWS::IAM::Role',
      '      Properties:',
      '        Policies:',
      '          - PolicyDocument:',
      '              Statement:',
      '                - { Effect: Deny, Action: "dynamodb:*", Resource: "*" }',
    ].join('\n'));
    // when
    const scan = scanInfrastructure(join(root, 'serverless.yml'), 'serverless.yml');
    // then
    expect(scan.dynamoTables).toEqual([{ logicalId: 'EventsTable', tableName: 'nexus-events' }]);
    expect(scan.iamStatements.map(({ path, line, effect, actions, resources }) => ({ path, line, effect, actions, resources }))).toEqual([
      { path: 'provider.iam.role.statements[0]', line: 5, effect: 'Allow', actions: ['dynamodb:PutItem'], resources: ['{"Fn::GetAtt":["EventsTable","Arn"]}'] },
      { path: 'functions.router.iamRoleStatements[0]', line: 11, effect: 'Allow', actions: ['kinesis:PutRecords'], resources: ['{"Fn::Sub":"arn:aws:kinesis:*:*:stream/core"}'] },
      { path: 'resources.Resources.Extra.Properties.Policies[0].PolicyDocument.Statement[0]', line: 25, effect: 'Deny', actions: ['dynamodb:*'], resources: ['*'] },
    ]);
  });

  it('scans a missing file as empty', () => {
    // given no serverless.yml
    // when
    const scan = scanInfrastructure(join(root, 'serverless.yml'), 'serverless.yml');
    // then
    expect(scan).toEqual({ iamStatements: [], dynamoTables: [] });
  });
});
