import type { OrderLine } from './OrderEvents';

export type OrderStatus = 'PLACED' | 'CONFIRMED' | 'CANCELLED';

/** An order that has not been placed: every command but PlaceOrder is refused. */
export type NoOrder = { status: 'NONE' };

/** An order as the decider needs it to enforce the rules. */
export type ExistingOrder = {
  status: OrderStatus;
  orderId: string;
  customerId: string;
  currency: string;
  lines: OrderLine[];
};

/** The Order aggregate's state, folded from its events. */
export type OrderState = NoOrder | ExistingOrder;
