import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { temporalAggregateOf } from '../../../core/http/temporalAggregates';
import { orderAggregate } from '../../../domain';
import { tallyAggregate } from '../http/temporalHarness';
import { RUNTIME_POLICY } from './securedApi';

const auditor = { id: 'audrey', roles: ['auditor'] };
const customer = { id: 'alice', roles: ['customer'] };
const admin = { id: 'root', roles: ['admin'] };

describe('the compiled runtime policy on temporal queries of any aggregate type', () => {
  let authorizer: OpaWasmAuthorizer;

  beforeAll(async () => {
    authorizer = await OpaWasmAuthorizer.fromFile(RUNTIME_POLICY);
  });

  it("asks orders:read-history, exactly as before, for the order's action, and grants it to an auditor on any order", async () => {
    // given the action the temporal route derives for Order
    const { action } = temporalAggregateOf(orderAggregate);
    // when an auditor asks about someone else's order
    const decision = await authorizer.authorize({ subject: auditor, action, resource: { type: 'order', id: 'o-1', ownerId: 'bob' } });
    // then
    expect(action).toBe('query:orders.temporal');
    expect(decision).toEqual({ allow: true, permission: 'orders:read-history', scope: 'any' });
  });

  it('refuses a customer the history of its own order: the shipped roles grant no read-history on own resources', async () => {
    // given a customer's own order
    const resource = { type: 'order', id: 'o-1', ownerId: 'alice' };
    // when
    const decision = await authorizer.authorize({ subject: customer, action: 'query:orders.temporal', resource });
    // then
    expect(decision).toMatchObject({ allow: false, permission: 'orders:read-history', reason: 'no role of the subject grants orders:read-history' });
  });

  it('maps a new aggregate type to <segment>:read-history without a policy edit: refused to an auditor, granted to an admin', async () => {
    // given an aggregate type the policy has never heard of
    const { action, resourceType } = temporalAggregateOf(tallyAggregate);
    const resource = { type: resourceType, id: 't-1', ownerId: 'bob' };
    // when
    const byAuditor = await authorizer.authorize({ subject: auditor, action, resource });
    const byAdmin = await authorizer.authorize({ subject: admin, action, resource });
    // then
    expect(action).toBe('query:tallies.temporal');
    expect(byAuditor).toMatchObject({ allow: false, permission: 'tallies:read-history' });
    expect(byAdmin).toEqual({ allow: true, permission: 'tallies:read-history', scope: 'any' });
  });
});
