import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { postCommand } from './support/http';

jest.setTimeout(120_000);

let dataDir: string;
let nexus: NexusProcess | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-idempotency-'));
});

afterEach(async () => {
  await nexus?.stop();
  nexus = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

const order = { customerId: 'cust-i', items: [{ sku: 'A', quantity: 1, unitPrice: 10 }], currency: 'EUR' };

async function placeOrder(baseUrl: string): Promise<string> {
  const placed = await postCommand(baseUrl, 'PlaceOrder', order);
  expect(placed.status).toBe(202);
  return placed.body.aggregateId as string;
}

describe('idempotent commands on the running server', () => {
  it('stores a retried AddItem once, across a crash and restart of the server', async () => {
    // given an AddItem accepted with a key, then the server is killed without warning
    nexus = await startNexus({ dataDir });
    const orderId = await placeOrder(nexus.baseUrl);
    const addItem = { orderId, sku: 'PEN', quantity: 1, unitPrice: 2 };
    const first = await postCommand(nexus.baseUrl, 'AddItem', addItem, { 'idempotency-key': 'add-pen-1' });
    await nexus.kill();

    // when the client, not knowing whether it landed, retries it on the restarted server
    nexus = await startNexus({ dataDir });
    const retry = await postCommand(nexus.baseUrl, 'AddItem', addItem, { 'idempotency-key': 'add-pen-1' });

    // then it gets the first answer, marked as a replay, and the item was added once
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const next = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'INK', quantity: 1, unitPrice: 3 });
    expect(next.body.version).toBe(3);
  });

  it('refuses the key of another request with 422', async () => {
    // given
    nexus = await startNexus({ dataDir });
    const orderId = await placeOrder(nexus.baseUrl);
    await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'PEN', quantity: 1, unitPrice: 2 }, { 'idempotency-key': 'k-1' });
    // when
    const reused = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'INK', quantity: 1, unitPrice: 2 }, { 'idempotency-key': 'k-1' });
    // then
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' });
  });

  it('accepts 24 concurrent AddItems on one order sent without expectedVersion', async () => {
    // given an order on the server (group commit on, as npm start runs it)
    nexus = await startNexus({ dataDir });
    const orderId = await placeOrder(nexus.baseUrl);
    const baseUrl = nexus.baseUrl;
    // when 24 AddItems arrive at once
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => postCommand(baseUrl, 'AddItem', { orderId, sku: `S-${i}`, quantity: 1, unitPrice: 1 })),
    );
    // then every one is accepted, each at its own version
    expect(answers.map((answer) => answer.status)).toEqual(Array(24).fill(202));
    expect(answers.map((answer) => answer.body.version as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 2));
  });

  it('still answers 409 to one of two AddItems sent with the same expectedVersion', async () => {
    // given
    nexus = await startNexus({ dataDir });
    const orderId = await placeOrder(nexus.baseUrl);
    const baseUrl = nexus.baseUrl;
    // when
    const answers = await Promise.all(
      ['PEN', 'INK'].map((sku) => postCommand(baseUrl, 'AddItem', { orderId, sku, quantity: 1, unitPrice: 1, expectedVersion: 1 })),
    );
    // then
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, currentVersion: 2 });
  });
});
