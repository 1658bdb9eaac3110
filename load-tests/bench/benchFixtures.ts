import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openSqliteDatabase, SqliteSchemaRegistry } from '../../adapters/embedded';
import type { EventEnvelope } from '../../core/events/EventEnvelope';
import { silentLogger } from '../../core/logging/Logger';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';

const SCHEMAS = resolve(__dirname, '..', '..', 'schemas');

/** A temp directory removed by `dispose`. */
export interface Scratch {
  dir: string;
  /** A WAL database in the scratch directory, as the embedded system opens its files. */
  open(name: string): Database;
  dispose(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-'));
  const opened: Database[] = [];
  return {
    dir,
    open: (name) => {
      const db = openSqliteDatabase(join(dir, name));
      opened.push(db);
      return db;
    },
    dispose: () => {
      for (const db of opened) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A codec over a registry fed from schemas/, as the embedded system wires it. */
export async function benchCodec(db: Database): Promise<AvroEventCodec> {
  const registry = new SqliteSchemaRegistry(db);
  await syncSchemas(registry, loadSchemaCatalog(SCHEMAS), silentLogger);
  return new AvroEventCodec(registry);
}

export function orderPlacedPayload(orderId: string, index: number): Record<string, unknown> {
  return {
    orderId,
    customerId: `customer-${index % 50}`,
    items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 }],
    total: { amount: 25, currency: 'EUR' },
  };
}

/** The events of one order's life, as the order-list projection sees them. */
export function orderLife(orderId: string, index: number): { eventType: string; payload: Record<string, unknown> }[] {
  return [
    { eventType: 'OrderPlaced', payload: orderPlacedPayload(orderId, index) },
    { eventType: 'OrderItemAdded', payload: { orderId, sku: 'PEN-2', quantity: 1, unitPrice: 3 } },
    { eventType: 'OrderConfirmed', payload: { orderId, confirmedAt: new Date(0).toISOString() } },
  ];
}

/** A core-stream record: key plus Glue-framed envelope bytes. */
export interface BenchRecord {
  key: string;
  record: Buffer;
  eventId: string;
}

/** `orders` orders x 3 events, encoded as the event store would store them, interleaved across orders. */
export async function coreRecords(codec: AvroEventCodec, orders: number): Promise<BenchRecord[]> {
  const lives = Array.from({ length: orders }, (_, i) => ({ id: `order-${i}`, events: orderLife(`order-${i}`, i) }));
  const records: BenchRecord[] = [];
  const occurredAt = new Date().toISOString();
  for (let step = 0; step < 3; step += 1) {
    for (const life of lives) {
      const event = life.events[step];
      if (!event) continue;
      const encoded = await codec.encode(event.eventType, event.payload);
      const envelope: EventEnvelope = {
        eventId: randomUUID(),
        eventType: encoded.eventType,
        schemaVersion: encoded.schemaVersion,
        aggregateType: 'Order',
        aggregateId: life.id,
        aggregateVersion: step + 1,
        occurredAt,
        correlationId: 'bench',
        causationId: null,
        metadata: {},
        payload: encoded.bytes,
      };
      records.push({ key: life.id, record: await codec.encodeEnvelope(envelope), eventId: envelope.eventId });
    }
  }
  return records;
}
