/**
 * The HTTP API on Lambda (API Gateway HTTP API, payload 2.0): the server's app (createEmbeddedApi:
 * the same authentication, policies, commands and queries) over the AWS system, through
 * `hono/aws-lambda`. No pipeline runs here: Lambda's event source mappings feed the pipeline
 * functions. Tokens are verified with NEXUS_JWKS_URL (or NEXUS_JWT_SECRET); with neither, the
 * first invocation fails naming them (a generated secret would differ per container); likewise
 * NEXUS_TEMPORAL_CONTINUATION_KEY, the key of temporal-query continuations.
 */
import { resolve } from 'node:path';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { APIGatewayProxyResult, LambdaEvent } from 'hono/aws-lambda';
import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { readAuthConfig } from '../../../core/auth/authConfig';
import { ConfigError } from '../../local/config';
import { lambdaContinuationKeyOf } from '../awsConfig';
import { createEmbeddedApi } from '../../local/systemApi';
import { observedFetch } from './apiObservation';
import { lambdaObservability, observed, perContainer } from './lambdaObservability';
import { FUNCTION_ROOT, openLambdaSystem } from './lambdaSystem';

const observability = lambdaObservability(process.env);

const app = perContainer(async () => {
  const { env } = process;
  if (!env.NEXUS_JWKS_URL && !env.NEXUS_JWT_SECRET) {
    throw new ConfigError('the API function needs NEXUS_JWKS_URL (the identity provider\'s public keys; serverless.yml param jwksUrl) or NEXUS_JWT_SECRET');
  }
  // No data directory on Lambda: with a JWKS URL or a secret, none is read.
  const auth = readAuthConfig(env, '/nonexistent');
  const continuationKey = lambdaContinuationKeyOf(env);
  const system = await openLambdaSystem(env, observability.logger, observability.tracer);
  const authorizer = await OpaWasmAuthorizer.fromFile(resolve(FUNCTION_ROOT, 'policies', 'build', 'runtime.wasm'));
  const api = createEmbeddedApi({ ...system, authorizer }, auth, { temporal: { continuationKey }, health: async () => ({ backend: 'aws-lambda' }) });
  const outer = new Hono();
  const answer = observedFetch((request) => Promise.resolve(api.fetch(request)), observability);
  outer.all('*', (c) => answer(c.req.raw));
  return handle(outer);
});

/** The API function's handler: an API Gateway HTTP API event (payload 2.0) in, its response out. */
export const handler = observed(observability, 'api', async (event: LambdaEvent, context): Promise<APIGatewayProxyResult> => (await app())(event, context));
