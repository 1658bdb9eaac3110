import { lambdaContinuationKeyOf } from '../../../handlers/aws/awsConfig';
import { CONTINUATION_KEY_LENGTH, CONTINUATION_KEY_LOGICAL_ID } from '../../../deploy/resources/continuationKey';
import { resourcesOf } from '../../../deploy/resources/resourcesOf';
import { environmentSection, functionsOfDeclarations, functionsSection, resourcesSection } from '../../../deploy/template';
import { packagedService } from '../../support/packagedService';
import type { CloudFormationTemplate } from '../../support/packagedService';

const SETTINGS = { stage: 'test', region: 'eu-west-1' };
const REFERENCE = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: CONTINUATION_KEY_LOGICAL_ID }, ':SecretString}}']] };

function environmentOf(fn: Record<string, unknown> | undefined): Record<string, unknown> {
  return (fn?.['environment'] ?? {}) as Record<string, unknown>;
}

describe('the key of temporal continuations in the stack', () => {
  it('is a Secrets Manager secret of 64 generated letters and digits, named after the stage', () => {
    // when
    const resources = resourcesOf(functionsOfDeclarations(), { stage: 'test', topics: [] });
    // then
    expect(resources[CONTINUATION_KEY_LOGICAL_ID]).toEqual({
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: 'nexus-test-temporal-continuation-key',
        Description: expect.stringContaining('temporal-query continuation'),
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      },
    });
    expect(Object.keys(resourcesSection(SETTINGS).Resources as object)).toContain(CONTINUATION_KEY_LOGICAL_ID);
  });

  it('generates keys the API function accepts (at least 32 bytes)', () => {
    // given a key of the generated length
    const generated = 'a1'.repeat(CONTINUATION_KEY_LENGTH / 2);
    // when
    const key = lambdaContinuationKeyOf({ NEXUS_TEMPORAL_CONTINUATION_KEY: generated });
    // then
    expect(key).toHaveLength(64);
  });

  it('reaches the API function alone, as a dynamic reference CloudFormation resolves at deploy time', () => {
    // when
    const functions = functionsSection(SETTINGS);
    // then
    expect(environmentOf(functions['api'])['NEXUS_TEMPORAL_CONTINUATION_KEY']).toEqual(REFERENCE);
    for (const [key, fn] of Object.entries(functions)) {
      if (key !== 'api') expect({ key, environment: environmentOf(fn) }).not.toEqual({ key, environment: expect.objectContaining({ NEXUS_TEMPORAL_CONTINUATION_KEY: expect.anything() }) });
    }
    expect(environmentSection(SETTINGS)).not.toHaveProperty('NEXUS_TEMPORAL_CONTINUATION_KEY');
  });
});

describe('the key of temporal continuations in the packaged template', () => {
  let template: CloudFormationTemplate;

  beforeAll(async () => {
    ({ template } = await packagedService());
  }, 600_000);

  it('holds the secret and passes it to the API function by dynamic reference, with no role allowed to read secrets', () => {
    // given the API function of the packaged template
    const api = functionsOfDeclarations().find((fn) => fn.kind === 'api');
    const variables = ((template.Resources[api?.logicalId ?? '']?.Properties?.['Environment'] ?? {}) as { Variables?: Record<string, unknown> }).Variables ?? {};
    // then
    expect(template.Resources[CONTINUATION_KEY_LOGICAL_ID]?.Type).toBe('AWS::SecretsManager::Secret');
    expect(variables['NEXUS_TEMPORAL_CONTINUATION_KEY']).toEqual(REFERENCE);
    const roles = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    expect(JSON.stringify(roles.map((role) => role.Properties?.['Policies']))).not.toMatch(/secretsmanager:/i);
  });
});
