import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventually, startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { getJson, postCommand } from './support/http';

jest.setTimeout(120_000);

let dataDir: string;
let nexus: NexusProcess | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-saga-crash-'));
});

afterEach(async () => {
  await nexus?.stop();
  nexus = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

/** Events per aggregate of the fulfilment aggregates, read from nexus.db once the server is stopped. */
function fulfilmentStreams(): Record<string, string[]> {
  const db = new Database(join(dataDir, 'nexus.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT aggregate_id AS id, event_type AS type FROM events WHERE aggregate_type IN ('Stock', 'Payment', 'Shipment') ORDER BY aggregate_id, aggregate_version").all() as { id: string; type: string }[];
    const streams: Record<string, string[]> = {};
    for (const row of rows) (streams[row.id] ??= []).push(row.type);
    return streams;
  } finally {
    db.close();
  }
}

describe('the fulfilment saga across kill -9', () => {
  it('resumes every saga after a crash in the middle and sends no command twice', async () => {
    // given orders whose sagas are under way (one above the payment limit), then the process killed without warning
    nexus = await startNexus({ dataDir });
    const orders = ['ok-1', 'ok-2', 'ok-3', 'declined-1'];
    for (const orderId of orders) {
      const unitPrice = orderId.startsWith('declined') ? 6000 : 10;
      const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', { orderId, customerId: 'alice', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice }], currency: 'EUR' });
      expect(placed.status).toBe(202);
    }
    await nexus.kill();

    // when it starts again on the same data
    nexus = await startNexus({ dataDir });
    const running = nexus;
    const states: Record<string, unknown> = {};
    for (const orderId of orders) {
      states[orderId] = await eventually(async () => {
        const saga = await getJson(running.baseUrl, `/api/sagas/fulfilment-${orderId}`);
        return saga.status === 200 && (saga.body.status === 'completed' || saga.body.status === 'aborted') ? saga.body.status : undefined;
      }, 30_000, `the saga of ${orderId} ended`);
    }
    await nexus.stop();
    nexus = undefined;

    // then each saga ended, and each command's events are in their stream once
    expect(states).toEqual({ 'ok-1': 'completed', 'ok-2': 'completed', 'ok-3': 'completed', 'declined-1': 'aborted' });
    expect(fulfilmentStreams()).toEqual({
      'payment-declined-1': ['PaymentDeclined'],
      'payment-ok-1': ['PaymentTaken'],
      'payment-ok-2': ['PaymentTaken'],
      'payment-ok-3': ['PaymentTaken'],
      'reservation-declined-1': ['StockReserved', 'StockReleased'],
      'reservation-ok-1': ['StockReserved'],
      'reservation-ok-2': ['StockReserved'],
      'reservation-ok-3': ['StockReserved'],
      'shipment-ok-1': ['ShipmentDispatched'],
      'shipment-ok-2': ['ShipmentDispatched'],
      'shipment-ok-3': ['ShipmentDispatched'],
    });
  });
});
