import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagedService, REPOSITORY_ROOT } from '../../support/packagedService';
import type { CloudFormationTemplate } from '../../support/packagedService';

/** A pipeline a user adds: a file in pipelines/ and its line in pipelines/index.ts, nothing else. */
const NEW_PIPELINE = `import { definePipeline } from '../core/pipeline/PipelineDefinition';
import { decode, ofType, project, upcast } from '../operators';

export default definePipeline({
  name: 'order-audit',
  source: 'core',
  lambda: { batchSize: 250, parallelizationFactor: 2, maximumBatchingWindowSeconds: 5 },
  pipe: (records$, { codec, upcasters, readModels }) =>
    records$.pipe(
      decode(codec),
      upcast(upcasters),
      ofType('OrderPlaced'),
      project(readModels.collection<{ orderId: string }>('order-audit'), (_current, event) => ({ orderId: event.envelope.aggregateId })),
    ),
});
`;

const COPIED = ['serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'deploy', 'handlers', 'core', 'adapters', 'operators', 'domain', 'pipelines', 'schemas', 'policies'];

function mappingsOf(template: CloudFormationTemplate, functionLogicalId: string): Record<string, unknown>[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping')
    .map((resource) => resource.Properties ?? {})
    .filter((properties) => JSON.stringify(properties['FunctionName']).includes(functionLogicalId));
}

describe('adding a pipeline', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'nexus-service-'));
    for (const entry of COPIED) cpSync(join(REPOSITORY_ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(copy, 'node_modules'));
  });

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('adds its function and event source mapping to `serverless package` without touching serverless.yml', async () => {
    // given the pipeline file and its line in pipelines/index.ts
    writeFileSync(join(copy, 'pipelines', 'order-audit.ts'), NEW_PIPELINE);
    const original = readFileSync(join(copy, 'pipelines', 'index.ts'), 'utf8');
    const index = `import orderAudit from './order-audit';\n${original.replace(/(export const pipelines: readonly PipelineDefinition\[\] = \[[^\]]*)\]/, '$1, orderAudit]')}`;
    expect(index).toContain(', orderAudit]');
    writeFileSync(join(copy, 'pipelines', 'index.ts'), index);
    const before = (await packagedService()).template;
    // when
    const after = await packagedService(copy);
    // then
    expect(before.Resources).not.toHaveProperty('OrderAuditPipelineLambdaFunction');
    expect(after.template.Resources['OrderAuditPipelineLambdaFunction']).toMatchObject({ Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['OrderAuditPipelineRole', 'Arn'] } } });
    expect(after.template.Resources['OrderAuditPipelineRole']).toMatchObject({ Type: 'AWS::IAM::Role' });
    expect(mappingsOf(after.template, 'OrderAuditPipelineLambdaFunction')).toEqual([
      expect.objectContaining({
        EventSourceArn: { 'Fn::GetAtt': ['CoreStream', 'Arn'] },
        BatchSize: 250,
        ParallelizationFactor: 2,
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    ]);
    expect(after.zips).toHaveProperty('orderAuditPipeline');
    expect(readFileSync(join(copy, 'serverless.yml'), 'utf8')).toBe(readFileSync(join(REPOSITORY_ROOT, 'serverless.yml'), 'utf8'));
  }, 900_000);
});
