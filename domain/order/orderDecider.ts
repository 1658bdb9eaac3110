import type { Decider } from '../../core/command/Decider';
import { DomainRuleViolation, RULE_VIOLATION_KINDS } from '../../core/command/DomainRuleViolation';
import type { AddItem, CancelOrder, ConfirmOrder, OrderCommand, PlaceOrder } from './OrderCommands';
import { MAX_ORDER_LINES } from './OrderCommands';
import type { OrderEvent } from './OrderEvents';
import type { ExistingOrder, OrderState } from './OrderState';
import { totalOf } from './money';

/** Rule codes the Order aggregate refuses commands with (`DomainRuleViolation.rule`). */
export const ORDER_RULES = {
  /** PlaceOrder for an id that already has an order. */
  ORDER_ALREADY_EXISTS: 'ORDER_ALREADY_EXISTS',
  /** Any command but PlaceOrder for an id without an order (kind not-found: HTTP 404). */
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  /** A cancelled order cannot be changed, confirmed or cancelled again. */
  ORDER_ALREADY_CANCELLED: 'ORDER_ALREADY_CANCELLED',
  /** A confirmed order cannot get items or be confirmed again (it can still be cancelled). */
  ORDER_ALREADY_CONFIRMED: 'ORDER_ALREADY_CONFIRMED',
  /** An order without lines cannot be confirmed. */
  EMPTY_ORDER: 'EMPTY_ORDER',
  /** An order holds at most {@link MAX_ORDER_LINES} lines. */
  ORDER_LINE_LIMIT: 'ORDER_LINE_LIMIT',
} as const;

/**
 * The Order aggregate as a decider. Lifecycle: PLACED -> CONFIRMED -> (CANCELLED), or
 * PLACED -> CANCELLED. Items can be added while PLACED; confirming needs at least one line.
 * Refusals throw {@link DomainRuleViolation} with a rule from {@link ORDER_RULES}, of kind
 * `not-found` for ORDER_NOT_FOUND and `conflict` for the others (the state forbids them); the state,
 * command data and metadata.now are the only inputs, so decisions are reproducible.
 */
export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: () => ({ status: 'NONE' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'PlaceOrder':
        return place(command, state);
      case 'AddItem':
        return add(command, open(state, command.data.orderId));
      case 'ConfirmOrder':
        return confirm(command, open(state, command.data.orderId));
      case 'CancelOrder':
        return cancel(command, existing(state, command.data.orderId));
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'OrderPlaced': {
        const { orderId, customerId, items, total } = event.data;
        return { status: 'PLACED', orderId, customerId, currency: total.currency, lines: [...items] };
      }
      case 'OrderItemAdded': {
        if (state.status === 'NONE') return state;
        const { sku, quantity, unitPrice } = event.data;
        return { ...state, lines: [...state.lines, { sku, quantity, unitPrice }] };
      }
      case 'OrderConfirmed':
        return state.status === 'NONE' ? state : { ...state, status: 'CONFIRMED' };
      case 'OrderCancelled':
        return state.status === 'NONE' ? state : { ...state, status: 'CANCELLED' };
    }
  },
};

function place(command: PlaceOrder, state: OrderState): OrderEvent[] {
  const { orderId, customerId, items, currency } = command.data;
  if (state.status !== 'NONE') {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_ALREADY_EXISTS, `order ${orderId} already exists`, { orderId });
  }
  return [{ type: 'OrderPlaced', data: { orderId, customerId, items, total: { amount: totalOf(items), currency } } }];
}

function add(command: AddItem, order: ExistingOrder): OrderEvent[] {
  if (order.status === 'CONFIRMED') {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_ALREADY_CONFIRMED, `order ${order.orderId} is confirmed: no items can be added`, {
      orderId: order.orderId,
    });
  }
  if (order.lines.length >= MAX_ORDER_LINES) {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_LINE_LIMIT, `order ${order.orderId} already has ${MAX_ORDER_LINES} lines`, {
      orderId: order.orderId,
      maxLines: MAX_ORDER_LINES,
    });
  }
  return [{ type: 'OrderItemAdded', data: { ...command.data } }];
}

function confirm(command: ConfirmOrder, order: ExistingOrder): OrderEvent[] {
  if (order.status === 'CONFIRMED') {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_ALREADY_CONFIRMED, `order ${order.orderId} is already confirmed`, { orderId: order.orderId });
  }
  if (order.lines.length === 0) {
    throw new DomainRuleViolation(ORDER_RULES.EMPTY_ORDER, `order ${order.orderId} has no items to confirm`, { orderId: order.orderId });
  }
  return [{ type: 'OrderConfirmed', data: { orderId: order.orderId, confirmedAt: command.metadata.now.toISOString() } }];
}

function cancel(command: CancelOrder, order: ExistingOrder): OrderEvent[] {
  if (order.status === 'CANCELLED') {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_ALREADY_CANCELLED, `order ${order.orderId} is already cancelled`, { orderId: order.orderId });
  }
  return [
    {
      type: 'OrderCancelled',
      data: { orderId: order.orderId, reason: command.data.reason, cancelledAt: command.metadata.now.toISOString() },
    },
  ];
}

/** The order, which must exist. */
function existing(state: OrderState, orderId: string): ExistingOrder {
  if (state.status === 'NONE') {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_NOT_FOUND, `order ${orderId} does not exist`, { orderId }, { kind: RULE_VIOLATION_KINDS.NOT_FOUND });
  }
  return state;
}

/** The order, which must exist and not be cancelled. */
function open(state: OrderState, orderId: string): ExistingOrder {
  const order = existing(state, orderId);
  if (order.status === 'CANCELLED') {
    throw new DomainRuleViolation(ORDER_RULES.ORDER_ALREADY_CANCELLED, `order ${orderId} is cancelled and cannot be changed`, { orderId });
  }
  return order;
}
