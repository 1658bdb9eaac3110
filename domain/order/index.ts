export { orderAggregate } from './orderAggregate';
export { orderDecider, ORDER_RULES } from './orderDecider';
export {
  placeOrder,
  addItem,
  confirmOrder,
  cancelOrder,
  orderCommands,
  DEFAULT_CURRENCY,
  MAX_ORDER_LINES,
  MAX_LINE_QUANTITY,
} from './OrderCommands';
export type { PlaceOrder, AddItem, ConfirmOrder, CancelOrder, OrderCommand } from './OrderCommands';
export { ORDER_EVENT_TYPES } from './OrderEvents';
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
} from './OrderEvents';
export type { OrderState, OrderStatus, ExistingOrder, NoOrder } from './OrderState';
export { orderUpcasters, orderPlacedV1ToV2 } from './orderUpcasters';
export { orderListReducer, ORDER_LIST_COLLECTION, ORDER_LIST_INDEXED_FIELDS, ORDER_LIST_COMPOSITE_INDEXES } from './orderListReducer';
export type { OrderListItem, OrderListEvent } from './orderListReducer';
