import { DomainRuleViolation } from '../../../core/command/DomainRuleViolation';
import { toProblem } from '../../../core/http/problemDetails';

const context = { correlationId: 'c-1', instance: '/api/commands/CancelOrder' };

describe('toProblem for domain rule violations', () => {
  it.each([
    ['a conflict', { kind: 'conflict' as const }, 409, 'Business rule violated'],
    ['a violation that names no kind', {}, 409, 'Business rule violated'],
    ['a missing target', { kind: 'not-found' as const }, 404, 'Not found'],
    ['a command no state would allow', { kind: 'invalid' as const }, 422, 'Business rule violated'],
  ])('answers %s with the status its kind declares', (_case, options, status, title) => {
    // given
    const violation = new DomainRuleViolation('SOME_RULE', 'refused', { orderId: 'o-1' }, options);
    // when
    const problem = toProblem(violation, context);
    // then
    expect(problem).toMatchObject({ status, title, code: 'SOME_RULE', detail: 'refused', orderId: 'o-1' });
    expect(problem).not.toHaveProperty('kind');
  });

  it('reads the kind from an error of another realm by shape, not by class', () => {
    // given a plain object shaped like a violation (as errors crossing a worker boundary are)
    const violation = { code: 'DOMAIN_RULE_VIOLATION', kind: 'not-found', message: 'gone', details: { rule: 'ORDER_NOT_FOUND' } };
    // when
    const problem = toProblem(violation, context);
    // then
    expect(problem).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
  });
});

describe('toProblem for the AWS backends', () => {
  it.each([
    ['RATE_LIMIT_STORE_UNAVAILABLE', 503],
    ['SCHEMA_REGISTRY_UNAVAILABLE', 503],
    ['EVENT_STORE_UNAVAILABLE', 503],
    ['READ_MODEL_UNAVAILABLE', 503],
    ['EVENT_APPEND_TOO_LARGE', 422],
  ])('answers %s with %i', (code, status) => {
    // given an error as the AWS adapters raise it (a code, a message, details)
    const error = { code, message: 'it failed', details: { operation: 'TransactWriteItems' } };
    // when
    const problem = toProblem(error, context);
    // then
    expect(problem).toMatchObject({ status, code });
  });
});
