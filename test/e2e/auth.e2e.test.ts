import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { request } from './support/http';
import type { JsonResponse } from './support/http';

jest.setTimeout(120_000);

const REPOSITORY = resolve(__dirname, '..', '..');
const TSX_CLI = require.resolve('tsx/cli');

let dataDir: string;
let nexus: NexusProcess;
const tokens: Record<string, string> = {};

/** A token from the real `npm run token` CLI, signed with the secret the server generated. */
function mintWithCli(role: string, subject: string): string {
  return execFileSync(process.execPath, [TSX_CLI, 'handlers/cli/token.ts', '--role', role, '--sub', subject, '--data-dir', dataDir], {
    cwd: REPOSITORY,
    encoding: 'utf8',
    env: { ...process.env, NEXUS_JWT_SECRET: '' },
  }).trim();
}

function as(who: string, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const token = tokens[who];
  return request(`${nexus.baseUrl}${path}`, {
    method,
    headers: { authorization: token === undefined ? '' : `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-auth-e2e-'));
  // No configured secret: the server generates one in its data directory, as `npm start` does.
  nexus = await startNexus({ dataDir, env: { NEXUS_JWT_SECRET: '' } });
  tokens.alice = mintWithCli('customer', 'alice');
  tokens.bob = mintWithCli('customer', 'bob');
  tokens.audrey = mintWithCli('auditor', 'audrey');
  const placed = await as('alice', 'POST', '/api/commands/PlaceOrder', { orderId: 'order-alice', customerId: 'alice', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 9 }] });
  expect(placed.status).toBe(202);
  await eventually(async () => ((await as('alice', 'GET', '/api/queries/orders/order-alice')).status === 200 ? true : undefined));
});

afterAll(async () => {
  await nexus.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the running server', () => {
  it('says at start how to get a token', () => {
    // given the started server
    // when
    const output = nexus.output();
    // then
    expect(output).toContain('npm run -s token -- --role admin --sub alice');
  });

  it('answers 401 problem+json without a token, except on /health', async () => {
    // given no token
    // when
    const refused = await as('nobody', 'GET', '/api/queries/orders');
    const health = await as('nobody', 'GET', '/health');
    // then
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing' });
    expect(health.status).toBe(200);
  });

  it('answers 403 naming the permission when the role lacks it', async () => {
    // given an auditor
    // when
    const response = await as('audrey', 'POST', '/api/commands/CancelOrder', { orderId: 'order-alice', reason: 'audit' });
    // then
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'orders:cancel' });
  });

  it('refuses a customer reading another customer order', async () => {
    // given alice's order
    // when
    const response = await as('bob', 'GET', '/api/queries/orders/order-alice');
    // then
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'orders:read' });
  });

  it('lets an auditor run a temporal query and refuses a customer', async () => {
    // given
    const path = `/api/queries/temporal/orders/order-alice?asOf=${encodeURIComponent(new Date().toISOString())}`;
    // when
    const auditor = await as('audrey', 'GET', path);
    const customer = await as('alice', 'GET', path);
    // then
    expect(auditor.status).toBe(200);
    expect(auditor.body).toMatchObject({ aggregateId: 'order-alice', version: 1, state: { status: 'PLACED', customerId: 'alice' } });
    expect(customer.status).toBe(403);
    expect(customer.body).toMatchObject({ permission: 'orders:read-history' });
  });

  it('answers the 11th temporal query of a client in a minute with 429 and Retry-After', async () => {
    // given a fresh auditor, and a burst that does not straddle a minute boundary
    tokens.ada = mintWithCli('auditor', 'ada');
    const secondsLeft = 60 - new Date().getUTCSeconds();
    if (secondsLeft < 10) await new Promise((done) => setTimeout(done, secondsLeft * 1000 + 100));
    const path = `/api/queries/temporal/orders/order-alice?asOf=${encodeURIComponent(new Date().toISOString())}`;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await as('ada', 'GET', path)).status);
    // when
    const eleventh = await as('ada', 'GET', path);
    // then
    expect(statuses).toEqual(Array(10).fill(200));
    expect(eleventh.status).toBe(429);
    expect(eleventh.body).toMatchObject({ code: 'RATE_LIMITED', limit: 10 });
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // the denial log line reaches the child's stderr a moment after the response
    await eventually(async () => (/"message":"access denied".*"subject":"ada"/.test(nexus.output()) ? true : undefined), 5_000, 'the denial log line');
  });
});
