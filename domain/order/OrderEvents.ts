import type { DomainEvent } from '../../core/command/Decider';

/** One order line: a SKU, how many, and the price of one unit. */
export type OrderLine = {
  sku: string;
  quantity: number;
  unitPrice: number;
};

/** An amount with its ISO 4217 currency code. */
export type Money = {
  amount: number;
  currency: string;
};

/** `nexus.order.OrderPlaced` v2 (v1 carried `totalAmount`, implicitly USD). */
export type OrderPlacedData = {
  orderId: string;
  customerId: string;
  items: OrderLine[];
  total: Money;
};

/** `nexus.order.OrderItemAdded` v1. */
export type OrderItemAddedData = {
  orderId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
};

/** `nexus.order.OrderConfirmed` v1. */
export type OrderConfirmedData = {
  orderId: string;
  /** ISO-8601 UTC. */
  confirmedAt: string;
};

/** `nexus.order.OrderCancelled` v1. */
export type OrderCancelledData = {
  orderId: string;
  reason: string;
  /** ISO-8601 UTC. */
  cancelledAt: string;
};

export type OrderPlaced = DomainEvent<'OrderPlaced', OrderPlacedData>;
export type OrderItemAdded = DomainEvent<'OrderItemAdded', OrderItemAddedData>;
export type OrderConfirmed = DomainEvent<'OrderConfirmed', OrderConfirmedData>;
export type OrderCancelled = DomainEvent<'OrderCancelled', OrderCancelledData>;

/** Every Order event, at the latest schema version of each type. */
export type OrderEvent = OrderPlaced | OrderItemAdded | OrderConfirmed | OrderCancelled;

/** The Order event types, as registered in `schemas/` (namespace `nexus.order`). */
export const ORDER_EVENT_TYPES = ['OrderPlaced', 'OrderItemAdded', 'OrderConfirmed', 'OrderCancelled'] as const;

export type OrderEventType = OrderEvent['type'];
