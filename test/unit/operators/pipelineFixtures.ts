import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../../../core/schema/EventCodec';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import type { SourceRecord } from '../../../core/streams/RecordSource';

/** What an order event fixture may override. */
export interface OrderEventFixture {
  aggregateId?: string;
  aggregateVersion?: number;
  eventType?: 'OrderPlaced' | 'OrderItemAdded' | 'OrderCancelled' | 'OrderConfirmed';
  payload?: Record<string, unknown>;
  schemaVersion?: number;
  position?: number;
  eventId?: string;
}

/** A valid payload of `eventType` (latest schema) for `orderId`. */
export function orderPayload(eventType: string, orderId: string): Record<string, unknown> {
  switch (eventType) {
    case 'OrderItemAdded':
      return { orderId, sku: 'BOOK', quantity: 1, unitPrice: 5 };
    case 'OrderCancelled':
      return { orderId, reason: 'changed my mind', cancelledAt: '2025-01-02T00:00:00.000Z' };
    case 'OrderConfirmed':
      return { orderId, confirmedAt: '2025-01-02T00:00:00.000Z' };
    default:
      return { orderId, customerId: 'customer-1', items: [{ sku: 'BOOK', quantity: 2, unitPrice: 5 }], total: { amount: 10, currency: 'USD' } };
  }
}

/** A Glue-framed envelope record, encoded with the real codec, as a source delivers it. */
export async function orderRecord(codec: EventCodec, fixture: OrderEventFixture = {}): Promise<SourceRecord> {
  const aggregateId = fixture.aggregateId ?? 'order-1';
  const eventType = fixture.eventType ?? 'OrderPlaced';
  const encoded = await codec.encode(eventType, fixture.payload ?? orderPayload(eventType, aggregateId), fixture.schemaVersion);
  const record = await codec.encodeEnvelope({
    eventId: fixture.eventId ?? randomUUID(),
    eventType,
    schemaVersion: encoded.schemaVersion,
    aggregateType: 'Order',
    aggregateId,
    aggregateVersion: fixture.aggregateVersion ?? 1,
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: null,
    metadata: {},
    payload: encoded.bytes,
  });
  return { position: fixture.position ?? 1, key: aggregateId, record };
}

/** A decoded event built by hand, for operators that never touch bytes. */
export function pipelineEvent(overrides: Partial<PipelineEvent> & { aggregateId?: string; aggregateVersion?: number } = {}): PipelineEvent {
  const { aggregateId = 'order-1', aggregateVersion = 1, ...rest } = overrides;
  const eventType = rest.eventType ?? 'OrderPlaced';
  return {
    envelope: {
      eventId: `event-${aggregateId}-${aggregateVersion}`,
      eventType,
      schemaVersion: rest.schemaVersion ?? 2,
      aggregateType: 'Order',
      aggregateId,
      aggregateVersion,
      occurredAt: '2025-01-01T00:00:00.000Z',
      correlationId: 'correlation-1',
      causationId: null,
      metadata: {},
    },
    eventType,
    schemaVersion: 2,
    payload: orderPayload(eventType, aggregateId),
    source: { position: aggregateVersion, key: aggregateId, record: Buffer.from(`record-${aggregateId}-${aggregateVersion}`) },
    ...rest,
  };
}
