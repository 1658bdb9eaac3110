import Database from 'better-sqlite3';
import { SqliteRateLimitStore } from '../../../adapters/embedded';
import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { AccessGuard } from '../../../core/auth';
import { createJsonLogger } from '../../../core/logging/Logger';
import { isWellFormedText } from '../../../core/text/wellFormedText';
import { RUNTIME_POLICY } from './securedApi';

type Json = Record<string, unknown>;

let db: Database.Database;
let guard: AccessGuard;
let logLines: Json[];

beforeEach(async () => {
  db = new Database(':memory:');
  logLines = [];
  const logger = createJsonLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Json) });
  guard = new AccessGuard({ authorizer: await OpaWasmAuthorizer.fromFile(RUNTIME_POLICY), rateLimits: new SqliteRateLimitStore(db), logger });
});

afterEach(() => db.close());

describe('AccessGuard with text that is not well-formed', () => {
  it('denies a subject holding a lone surrogate, fail-closed, with a well-formed message', async () => {
    // given a principal no verifier should have produced
    const principal = { id: 'root\ud800', roles: ['admin'], clientId: 'root' };
    // when
    const authorizing = guard.authorize({ principal, action: 'query:orders.get', correlationId: 'c-1' });
    // then
    const error = (await authorizing.catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('well-formed Unicode') });
    expect(isWellFormedText(error.message)).toBe(true);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'access denied' }));
  });

  it('denies a resource whose owner holds a lone surrogate instead of asking the policy', async () => {
    // given a customer whose grant covers its own orders only
    const principal = { id: 'alice', roles: ['customer'], clientId: 'alice' };
    // when
    const authorizing = guard.authorize({
      principal,
      action: 'query:orders.get',
      correlationId: 'c-2',
      resource: async () => ({ type: 'order', id: 'o-\udfff', ownerId: 'alice' }),
    });
    // then
    await expect(authorizing).rejects.toMatchObject({ code: 'PERMISSION_DENIED', details: expect.objectContaining({ resourceId: 'o-\ufffd' }) });
  });

  it('counts a request whose path holds a lone surrogate against its rate limit', async () => {
    // given a temporal query path, the rate-limited one, with a broken id
    const principal = { id: 'audrey', roles: ['auditor'], clientId: 'audrey' };
    const request = { method: 'GET', path: '/api/queries/temporal/orders/\ud800' };
    // when ten requests are counted and the eleventh is asked
    for (let i = 0; i < 10; i += 1) await guard.limit(principal, request, `c-${i}`);
    const eleventh = guard.limit(principal, request, 'c-11');
    // then
    await expect(eleventh).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});
