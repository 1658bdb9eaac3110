import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { RUNTIME_POLICY } from './securedApi';

describe('OpaWasmAuthorizer on the compiled runtime policies', () => {
  let authorizer: OpaWasmAuthorizer;

  beforeAll(async () => {
    authorizer = await OpaWasmAuthorizer.fromFile(RUNTIME_POLICY);
  });

  it('grants a customer its own orders only, asking for the resource', async () => {
    // given a customer
    const subject = { id: 'alice', roles: ['customer'] };
    // when
    const withoutResource = await authorizer.authorize({ subject, action: 'query:orders.get' });
    const own = await authorizer.authorize({ subject, action: 'query:orders.get', resource: { type: 'order', id: 'o-1', ownerId: 'alice' } });
    const other = await authorizer.authorize({ subject, action: 'query:orders.get', resource: { type: 'order', id: 'o-2', ownerId: 'bob' } });
    // then
    expect(withoutResource).toEqual({ allow: true, permission: 'orders:read', scope: 'own' });
    expect(own).toEqual({ allow: true, permission: 'orders:read', scope: 'own' });
    expect(other).toMatchObject({ allow: false, permission: 'orders:read', scope: 'none', reason: expect.stringContaining('own') });
  });

  it('gives temporal queries their own permission', async () => {
    // given
    const action = 'query:orders.temporal';
    // when
    const auditor = await authorizer.authorize({ subject: { id: 'a', roles: ['auditor'] }, action });
    const support = await authorizer.authorize({ subject: { id: 's', roles: ['support'] }, action });
    // then
    expect(auditor).toEqual({ allow: true, permission: 'orders:read-history', scope: 'any' });
    expect(support).toMatchObject({ allow: false, permission: 'orders:read-history' });
  });

  it('finds the temporal rate limit and decides from the count', async () => {
    // given
    const request = { method: 'GET', path: '/api/queries/temporal/orders/o-1' };
    // when
    const rule = await authorizer.rateLimitRule(request);
    const none = await authorizer.rateLimitRule({ method: 'GET', path: '/api/queries/orders' });
    const tenth = await authorizer.rateLimit({ ...request, count: 10, resetInSeconds: 30 });
    const eleventh = await authorizer.rateLimit({ ...request, count: 11, resetInSeconds: 29.5 });
    // then
    expect(rule).toEqual({ name: 'temporal-queries', limit: 10, windowSeconds: 60 });
    expect(none).toBeUndefined();
    expect(tenth).toMatchObject({ allow: true, remaining: 0 });
    expect(eleventh).toMatchObject({ allow: false, retryAfterSeconds: 30, limit: 10 });
  });

  it.each([
    ['subject', { subject: { id: '\ud800', roles: ['admin'] }, action: 'query:orders.get' }],
    ['role', { subject: { id: 'root', roles: ['admin\udc00'] }, action: 'query:orders.get' }],
    ['resource owner', { subject: { id: 'alice', roles: ['customer'] }, action: 'query:orders.get', resource: { type: 'order', id: 'o-1', ownerId: 'alice\ud800' } }],
  ])('denies, without evaluating or throwing, a request whose %s holds a lone surrogate', async (_part, request) => {
    // given a request OPA's JSON parser would refuse ("illegal string escape character")
    // when
    const decision = await authorizer.authorize(request);
    // then
    expect(decision).toMatchObject({ allow: false, scope: 'none', reason: expect.stringContaining('well-formed Unicode') });
  });

  it('counts a path holding a lone surrogate under the rule of its well-formed part', async () => {
    // given a temporal query path with a broken id
    const request = { method: 'GET', path: '/api/queries/temporal/orders/\ud800' };
    // when
    const rule = await authorizer.rateLimitRule(request);
    const decision = await authorizer.rateLimit({ ...request, count: 11, resetInSeconds: 10 });
    // then
    expect(rule).toMatchObject({ name: 'temporal-queries' });
    expect(decision).toMatchObject({ allow: false });
  });

  it('refuses a module that is not a policy', async () => {
    // given bytes that are not WebAssembly
    const bytes = new TextEncoder().encode('not wasm');
    // when
    const loading = OpaWasmAuthorizer.fromBytes(bytes);
    // then
    await expect(loading).rejects.toMatchObject({ code: 'POLICY_EVALUATION_FAILED' });
  });
});
