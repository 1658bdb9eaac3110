/** The example bounded context: the Order aggregate, its commands, events, upcasters and read models. */
import type { AggregateDefinition } from '../core/command/AggregateDefinition';
import { orderAggregate } from './order/orderAggregate';

export { orderAggregate };

/**
 * Every aggregate type of the domain, in one place: the command service routes commands to
 * them, and the API serves their temporal queries and finds their owners through it.
 */
export const aggregates: readonly AggregateDefinition[] = [orderAggregate];
export { orderDecider, ORDER_RULES } from './order/orderDecider';
export {
  placeOrder,
  addItem,
  confirmOrder,
  cancelOrder,
  orderCommands,
  DEFAULT_CURRENCY,
  MAX_ORDER_LINES,
  MAX_LINE_QUANTITY,
} from './order/OrderCommands';
export type { PlaceOrder, AddItem, ConfirmOrder, CancelOrder, OrderCommand } from './order/OrderCommands';
export { ORDER_EVENT_TYPES } from './order/OrderEvents';
export type {
  OrderLine,
  Money,
  OrderPlaced,
  OrderPlacedData,
  OrderItemAdded,
  OrderItemAddedData,
  OrderConfirmed,
  OrderConfirmedData,
  OrderCancelled,
  OrderCancelledData,
  OrderEvent,
  OrderEventType,
} from './order/OrderEvents';
export type { OrderState, OrderStatus, ExistingOrder, NoOrder } from './order/OrderState';
export { orderUpcasters, orderPlacedV1ToV2 } from './order/orderUpcasters';
export { orderListReducer } from './order/orderListReducer';
export { orderListReadModel, ORDER_LIST_COLLECTION, ORDER_LIST_INDEXED_FIELDS, ORDER_LIST_COMPOSITE_INDEXES } from './order/orderReadModels';
export type { OrderListItem, OrderListEvent } from './order/orderListReducer';
