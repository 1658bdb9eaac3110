import type { OrderCancelledData, OrderItemAddedData, OrderLine, OrderPlacedData, Money } from './OrderEvents';
import type { OrderStatus } from './OrderState';
import { totalOf } from './money';

/** A document of the `orders` read model (the order list). */
export type OrderListItem = {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  items: OrderLine[];
  /** Units over all lines (sum of quantities). */
  itemCount: number;
  total: Money;
  /** `total.amount` again, top level so that the list can be sorted by it. */
  totalAmount: number;
  /** occurredAt of OrderPlaced. */
  createdAt: string;
  /** occurredAt of the latest event applied. */
  updatedAt: string;
  confirmedAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
};

/** What the reducer reads of an event: a PipelineEvent after upcasting fits this shape. */
export interface OrderListEvent {
  eventType: string;
  payload: Record<string, unknown>;
  envelope: { aggregateId: string; aggregateVersion: number; occurredAt: string };
}

/**
 * Folds one Order event (at its latest schema version) into the order-list document. Returns
 * the new document; an event type this list does not know leaves the document as it is. Returns
 * null (no document) only when there is no order to show: an event for an order whose
 * OrderPlaced has not been applied. Pure; idempotency comes from the sink, which writes only
 * when the aggregate version is newer.
 */
export function orderListReducer(current: OrderListItem | undefined, event: OrderListEvent): OrderListItem | null {
  const at = event.envelope.occurredAt;
  switch (event.eventType) {
    case 'OrderPlaced':
      return placed(event.payload as OrderPlacedData, at);
    case 'OrderItemAdded':
      return current ? withLine(current, event.payload as OrderItemAddedData, at) : null;
    case 'OrderConfirmed':
      return current ? { ...current, status: 'CONFIRMED', confirmedAt: String(event.payload.confirmedAt), updatedAt: at } : null;
    case 'OrderCancelled': {
      const { reason, cancelledAt } = event.payload as OrderCancelledData;
      return current ? { ...current, status: 'CANCELLED', cancelReason: reason, cancelledAt, updatedAt: at } : null;
    }
    default:
      return current ?? null;
  }
}

function placed(data: OrderPlacedData, at: string): OrderListItem {
  const items = data.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
  return {
    orderId: data.orderId,
    customerId: data.customerId,
    status: 'PLACED',
    items,
    itemCount: unitsOf(items),
    total: { amount: data.total.amount, currency: data.total.currency },
    totalAmount: data.total.amount,
    createdAt: at,
    updatedAt: at,
  };
}

function withLine(current: OrderListItem, data: OrderItemAddedData, at: string): OrderListItem {
  const items = [...current.items, { sku: data.sku, quantity: data.quantity, unitPrice: data.unitPrice }];
  const amount = totalOf(items);
  return { ...current, items, itemCount: unitsOf(items), total: { ...current.total, amount }, totalAmount: amount, updatedAt: at };
}

function unitsOf(items: readonly OrderLine[]): number {
  return items.reduce((sum, line) => sum + line.quantity, 0);
}
