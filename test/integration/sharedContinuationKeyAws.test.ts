import { GlueClient } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { silentLogger } from '../../core/logging/Logger';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { awsResourceNames } from '../../handlers/aws/awsConfig';
import type { LambdaSystem } from '../../handlers/aws/lambda/lambdaSystem';
import type * as OpaModule from '../../adapters/opa';
import type * as AuthConfigModule from '../../core/auth/authConfig';
import type * as AwsConfigModule from '../../handlers/aws/awsConfig';
import type * as ObservabilityModule from '../../handlers/aws/lambda/lambdaObservability';
import type * as LambdaSystemModule from '../../handlers/aws/lambda/lambdaSystem';
import type * as SystemApiModule from '../../handlers/local/systemApi';
import { createAwsResources } from '../engines/awsResources';
import { motoClientConfig, motoEndpoint } from '../engines/awsTestClients';
import { engineFunctionEnvironment } from '../engines/functionEnvironment';
import { httpApiEvent } from '../engines/lambdaEvents';
import { E2E_JWT_SECRET, e2eAdminToken } from '../e2e/support/e2eAuth';
import { askTemporal, continuationOf, orderWithItems } from '../support/continuationHandOver';
import type { ApiFetch } from '../support/continuationHandOver';

jest.setTimeout(120_000);

// A region of its own: moto keeps at most 10 Glue registries per region.
const REGION = 'ap-south-1';
const OTHER_KEY = 'another-deployment-key-0123456789abcdef-0123456789';

/** One API container as handlers/aws/lambda/api.ts builds it, with a small event cap so that a chain has links. */
interface Container {
  fetch: ApiFetch;
  system: LambdaSystem;
}

/**
 * Builds the API of a fresh container: a module registry of its own (nothing shared with other
 * containers but the environment and AWS), its system from openLambdaSystem and its key from
 * lambdaContinuationKeyOf, exactly as the API function does, the event cap lowered to 2.
 */
async function container(env: NodeJS.ProcessEnv): Promise<Container> {
  let build: (() => Promise<Container>) | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { OpaWasmAuthorizer } = require('../../adapters/opa') as typeof OpaModule;
    const { readAuthConfig } = require('../../core/auth/authConfig') as typeof AuthConfigModule;
    const { lambdaContinuationKeyOf } = require('../../handlers/aws/awsConfig') as typeof AwsConfigModule;
    const { lambdaObservability } = require('../../handlers/aws/lambda/lambdaObservability') as typeof ObservabilityModule;
    const { FUNCTION_ROOT, openLambdaSystem } = require('../../handlers/aws/lambda/lambdaSystem') as typeof LambdaSystemModule;
    const { createEmbeddedApi } = require('../../handlers/local/systemApi') as typeof SystemApiModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    build = async () => {
      const observability = lambdaObservability(env);
      const system = await openLambdaSystem(env, observability.logger, observability.tracer);
      const authorizer = await OpaWasmAuthorizer.fromFile(`${FUNCTION_ROOT}/policies/build/runtime.wasm`);
      const continuationKey = lambdaContinuationKeyOf(env);
      const app = createEmbeddedApi({ ...system, authorizer }, readAuthConfig(env, '/nonexistent'), { temporal: { continuationKey, maxEventsPerRequest: 2 } });
      return { fetch: (request) => app.fetch(request), system };
    };
  });
  return (build as () => Promise<Container>)();
}

describe('temporal continuations across API function containers (moto)', () => {
  const glue = new GlueClient({ ...motoClientConfig(), region: REGION, maxAttempts: 1 });
  const containers: Container[] = [];
  let env: NodeJS.ProcessEnv;
  let savedEnv: NodeJS.ProcessEnv | undefined;
  let deleteRegistry: () => Promise<void>;
  const asOf = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    const stage = `ckey-${process.pid}-${Date.now().toString(36)}`;
    const names = awsResourceNames(stage);
    ({ deleteRegistry } = await createAwsResources({ endpoint: motoEndpoint(), region: REGION }, stage, names));
    await syncSchemas(new GlueSchemaRegistry({ client: glue, registryName: names.glueRegistry }), loadSchemaCatalog('schemas'), silentLogger);
    env = { ...engineFunctionEnvironment({ stage, region: REGION, serviceName: 'nexus-ckey-test', logLevel: 'error' }), NEXUS_JWT_SECRET: E2E_JWT_SECRET };
    // The SDK reads its credentials from the process's environment, as on Lambda.
    savedEnv = process.env;
    process.env = { ...savedEnv, ...env };
  });

  afterAll(async () => {
    if (savedEnv !== undefined) process.env = savedEnv;
    for (const { system } of containers) await system.clients.destroy().catch(() => undefined);
    await deleteRegistry?.().catch(() => undefined);
    glue.destroy();
  });

  async function open(withEnv: NodeJS.ProcessEnv): Promise<Container> {
    const opened = await container(withEnv);
    containers.push(opened);
    return opened;
  }

  it('accepts in one container a continuation another issued under the same NEXUS_TEMPORAL_CONTINUATION_KEY, and refuses it under another key', async () => {
    // given an order of four events on DynamoDB and a partial answer of a first container
    const first = await open(env);
    const orderId = await orderWithItems(first.system.commands, 'aws-shared', 3);
    const partial = await askTemporal(first.fetch, e2eAdminToken(), orderId, asOf);
    const token = continuationOf(partial);
    // when a second container with the same key, and a third of another deployment, resume it
    const second = await open(env);
    const resumed = await askTemporal(second.fetch, e2eAdminToken(), orderId, asOf, token);
    const foreign = await open({ ...env, NEXUS_TEMPORAL_CONTINUATION_KEY: OTHER_KEY });
    const refused = await askTemporal(foreign.fetch, e2eAdminToken(), orderId, asOf, token);
    // then the second carries on to the end, the third refuses the token
    expect(partial.body).toMatchObject({ version: 2, complete: false });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ aggregateId: orderId, version: 4, complete: true });
    expect((resumed.body.state as { lines?: unknown[] }).lines).toHaveLength(4);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', field: 'continuation' });
  });

  it.each([
    ['without', undefined, /the API function needs NEXUS_TEMPORAL_CONTINUATION_KEY/],
    ['with a short', 'short-key', /NEXUS_TEMPORAL_CONTINUATION_KEY must be at least 32 bytes long/],
  ])('fails the API function %s NEXUS_TEMPORAL_CONTINUATION_KEY at its first invocation, naming the variable', async (_case, key, message) => {
    // given the API function's environment without a usable key
    const { NEXUS_TEMPORAL_CONTINUATION_KEY: _dropped, ...rest } = env;
    const functionEnv: NodeJS.ProcessEnv = key === undefined ? rest : { ...rest, NEXUS_TEMPORAL_CONTINUATION_KEY: key };
    const saved = process.env;
    process.env = { ...saved, ...functionEnv };
    if (key === undefined) delete process.env.NEXUS_TEMPORAL_CONTINUATION_KEY;
    try {
      let handler: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        ({ handler } = require('../../handlers/aws/lambda/api') as { handler: typeof handler });
      });
      // when it is invoked
      const invoked = (handler as (event: unknown, context: Context) => Promise<unknown>)(httpApiEvent('GET', '/health', undefined), lambdaContext());
      // then
      await expect(invoked).rejects.toThrow(message);
    } finally {
      process.env = saved;
    }
  });
});

function lambdaContext(): Context {
  return {
    functionName: 'api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-south-1:123456789012:function:api',
    memoryLimitInMB: '1024',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/api',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
