import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventually, startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { getJson, postCommand } from './support/http';

jest.setTimeout(90_000);

let dataDir: string;
let nexus: NexusProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-e2e-'));
  nexus = await startNexus({ dataDir });
});

afterAll(async () => {
  await nexus?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const order = (customerId: string) => ({ customerId, items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }], currency: 'EUR' });

async function orderWhen(id: string, predicate: (doc: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const response = await getJson(nexus.baseUrl, `/api/queries/orders/${id}`);
    return response.status === 200 && predicate(response.body) ? response.body : undefined;
  }, 10_000, `order ${id} to reach the expected state`);
}

function eventCount(): number {
  const db = new Database(join(dataDir, 'nexus.db'), { readonly: true });
  try {
    // Order events only: the fulfilment saga of an earlier test's order may still be writing its own.
    return (db.prepare("SELECT COUNT(*) AS n FROM events WHERE aggregate_type = 'Order'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('orders over HTTP', () => {
  it('places an order, reads it back, then cancels it and sees the status change', async () => {
    // given / when
    const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-1'), { 'x-correlation-id': 'tour-1' });

    // then
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ version: 1, correlationId: 'tour-1' });
    const orderId = placed.body.aggregateId as string;
    const shown = await orderWhen(orderId, (doc) => doc.status === 'PLACED');
    expect(shown).toMatchObject({ customerId: 'cust-1', total: { amount: 25, currency: 'EUR' } });

    // when
    const cancelled = await postCommand(nexus.baseUrl, 'CancelOrder', { orderId, reason: 'changed my mind' });

    // then
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.version).toBe(2);
    await orderWhen(orderId, (doc) => doc.status === 'CANCELLED');
    const list = await getJson(nexus.baseUrl, '/api/queries/orders?status=CANCELLED&customerId=cust-1');
    expect((list.body.items as Array<{ orderId: string }>).map((o) => o.orderId)).toContain(orderId);
  });

  it('refuses to cancel a cancelled order with a clear code', async () => {
    // given
    const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-2'));
    const orderId = placed.body.aggregateId as string;
    await postCommand(nexus.baseUrl, 'CancelOrder', { orderId, reason: 'first' });

    // when
    const again = await postCommand(nexus.baseUrl, 'CancelOrder', { orderId, reason: 'second' });

    // then
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, code: 'ORDER_ALREADY_CANCELLED' });
  });

  it('accepts exactly one of two concurrent commands at the same version', async () => {
    // given
    const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-3'));
    const orderId = placed.body.aggregateId as string;

    // when
    const [first, second] = await Promise.all([
      postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'PEN', quantity: 1, unitPrice: 2, expectedVersion: 1 }),
      postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'INK', quantity: 1, unitPrice: 3, expectedVersion: 1 }),
    ]);

    // then
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const conflict = first.status === 409 ? first : second;
    expect(conflict.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, currentVersion: 2 });
  });

  it.each([
    ['malformed JSON', 'PlaceOrder', '{"customerId": ', { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON', undefined],
    ['an unknown command', 'ShipToMars', order('cust-4'), {}, 404, 'UNKNOWN_COMMAND', 'commandType'],
    ['an invalid payload', 'PlaceOrder', { customerId: 'cust-4', items: [{ sku: 'X', quantity: -1, unitPrice: 1 }] }, {}, 422, 'INVALID_COMMAND', 'items[0].quantity'],
    ['a wrong content type', 'PlaceOrder', 'customerId=cust-4', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE', undefined],
    ['an oversize body', 'PlaceOrder', JSON.stringify({ customerId: 'x'.repeat(70_000), items: [] }), {}, 413, 'PAYLOAD_TOO_LARGE', undefined],
  ])('answers %s with problem+json and stores nothing', async (_name, commandType, body, headers, status, code, field) => {
    // given
    const before = eventCount();

    // when
    const response = await postCommand(nexus.baseUrl, commandType, body, headers);

    // then
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    if (field) expect(response.body.field).toBe(field);
    expect(eventCount()).toBe(before);
  });

  it('lists orders with filters, sorting and cursor pagination', async () => {
    // given
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await postCommand(nexus.baseUrl, 'PlaceOrder', order('cust-page'))).body.aggregateId as string);
    await orderWhen(ids[2] as string, () => true);

    // when
    const first = await getJson(nexus.baseUrl, '/api/queries/orders?customerId=cust-page&sort=createdAt&order=asc&limit=2');
    const second = await getJson(nexus.baseUrl, `/api/queries/orders?customerId=cust-page&sort=createdAt&order=asc&limit=2&cursor=${encodeURIComponent(first.body.nextCursor as string)}`);

    // then
    const seen = [...(first.body.items as Array<{ orderId: string }>), ...(second.body.items as Array<{ orderId: string }>)].map((o) => o.orderId);
    expect(seen).toEqual(ids);
    expect(second.body.nextCursor).toBeUndefined();
  });
});
