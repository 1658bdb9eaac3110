import { randomUUID } from 'node:crypto';
import type { AppendContext, NewEvent } from '../../core/events/EventStore';

/** A fresh aggregate id, so suites sharing one store never collide. */
export function newAggregateId(prefix = 'order'): string {
  return `${prefix}-${randomUUID()}`;
}

/** An `OrderPlaced` (latest version) for `orderId`. */
export function orderPlaced(orderId: string, overrides: Record<string, unknown> = {}): NewEvent {
  return {
    eventType: 'OrderPlaced',
    payload: {
      orderId,
      customerId: 'customer-1',
      items: [{ sku: 'sku-1', quantity: 2, unitPrice: 5 }],
      total: { amount: 10, currency: 'EUR' },
      ...overrides,
    },
  };
}

/** An `OrderItemAdded` v1 for `orderId`. */
export function orderItemAdded(orderId: string, sku = 'sku-2', overrides: Record<string, unknown> = {}): NewEvent {
  return { eventType: 'OrderItemAdded', payload: { orderId, sku, quantity: 1, unitPrice: 3.5, ...overrides } };
}

/** The context of an append by the Order aggregate. */
export function orderContext(overrides: Partial<AppendContext> = {}): AppendContext {
  return { aggregateType: 'Order', correlationId: randomUUID(), causationId: null, metadata: {}, ...overrides };
}

/** A clock that starts at `start` and moves `stepMs` forward on every reading. */
export function steppingClock(start: string, stepMs: number): () => Date {
  let next = Date.parse(start);
  return () => {
    const now = new Date(next);
    next += stepMs;
    return now;
  };
}
