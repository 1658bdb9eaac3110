/** The example bounded context: the Order aggregate, its commands, events, upcasters and read models. */
import type { AggregateDefinition } from '../core/command/AggregateDefinition';
import { orderAggregate } from './order/orderAggregate';
import { stockAggregate } from './fulfilment/stockAggregate';
import { paymentAggregate } from './fulfilment/paymentAggregate';
import { shipmentAggregate } from './fulfilment/shipmentAggregate';

export { orderAggregate, stockAggregate, paymentAggregate, shipmentAggregate };

/**
 * Every aggregate type of the domain, in one place: the command service routes commands to
 * them, and the API serves their temporal queries and finds their owners through it.
 */
export const aggregates: readonly AggregateDefinition[] = [orderAggregate, stockAggregate, paymentAggregate, shipmentAggregate];
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
export { stockDecider, reserveStock, releaseStock, MAX_RESERVABLE_QUANTITY } from './fulfilment/stockAggregate';
export type { StockCommand, StockEvent, StockState } from './fulfilment/stockAggregate';
export { paymentDecider, takePayment, refundPayment, PAYMENT_LIMIT } from './fulfilment/paymentAggregate';
export type { PaymentCommand, PaymentEvent, PaymentState } from './fulfilment/paymentAggregate';
export { shipmentDecider, shipOrder } from './fulfilment/shipmentAggregate';
export type { ShipmentEvent, ShipmentState } from './fulfilment/shipmentAggregate';
export { fulfilmentSaga, fulfilmentIdOf, FULFILMENT_STEP_TIMEOUT_MS, FULFILMENT_EVENT_TYPES } from './fulfilment/fulfilmentSaga';
export type { FulfilmentData } from './fulfilment/fulfilmentSaga';
export type { StockLine } from './fulfilment/fulfilmentFields';
