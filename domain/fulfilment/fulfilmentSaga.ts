import { defineSaga } from '../../core/saga/SagaDefinition';
import type { PipelineEvent } from '../../core/pipeline/PipelineEvent';
import type { OrderPlacedData } from '../order/OrderEvents';
import type { StockLine } from './fulfilmentFields';

/** What the fulfilment saga knows of its order, from OrderPlaced. */
export type FulfilmentData = {
  orderId: string;
  customerId: string;
  items: StockLine[];
  amount: number;
  currency: string;
};

/** How long each step waits for its outcome. */
export const FULFILMENT_STEP_TIMEOUT_MS = 60_000;

/** The saga id of an order's fulfilment. */
export function fulfilmentIdOf(orderId: string): string {
  return `fulfilment-${orderId}`;
}

/**
 * Fulfilment of an order placed with its lines: reserve the stock -> take the payment -> ship.
 * A declined payment (above the provider's limit) releases the stock; a step that times out is
 * compensated with the steps before it. The Stock, Payment and Shipment aggregates are keyed by
 * the order id with a prefix (one event store holds every aggregate's stream).
 */
export const fulfilmentSaga = defineSaga<FulfilmentData>({
  name: 'fulfilment',
  startedBy: 'OrderPlaced',
  startsWhen: (event) => (event.payload as OrderPlacedData).items.length > 0,
  sagaId: (event) => fulfilmentIdOf(event.envelope.aggregateId),
  data: dataOf,
  ownerOf: (data) => data.customerId,
  steps: [
    {
      name: 'reserve-stock',
      command: ({ orderId, items }) => ({ type: 'ReserveStock', body: { reservationId: `reservation-${orderId}`, orderId, items } }),
      completedBy: ['StockReserved'],
      failedBy: ['StockUnavailable'],
      timeoutMs: FULFILMENT_STEP_TIMEOUT_MS,
      compensation: ({ orderId }) => ({ type: 'ReleaseStock', body: { reservationId: `reservation-${orderId}` } }),
    },
    {
      name: 'take-payment',
      command: ({ orderId, customerId, amount, currency }) => ({ type: 'TakePayment', body: { paymentId: `payment-${orderId}`, orderId, customerId, amount, currency } }),
      completedBy: ['PaymentTaken'],
      failedBy: ['PaymentDeclined'],
      timeoutMs: FULFILMENT_STEP_TIMEOUT_MS,
      compensation: ({ orderId }) => ({ type: 'RefundPayment', body: { paymentId: `payment-${orderId}` } }),
    },
    {
      name: 'ship',
      command: ({ orderId, items }) => ({ type: 'ShipOrder', body: { shipmentId: `shipment-${orderId}`, orderId, items } }),
      completedBy: ['ShipmentDispatched'],
      timeoutMs: FULFILMENT_STEP_TIMEOUT_MS,
    },
  ],
});

function dataOf(event: PipelineEvent): FulfilmentData {
  const { orderId, customerId, items, total } = event.payload as OrderPlacedData;
  // One line per SKU and quantity as ordered; the price stays with the order.
  return { orderId, customerId, items: items.map(({ sku, quantity }) => ({ sku, quantity })), amount: total.amount, currency: total.currency };
}

/** The event types of the Stock, Payment and Shipment aggregates, as registered in schemas/. */
export const FULFILMENT_EVENT_TYPES = [
  'StockReserved',
  'StockUnavailable',
  'StockReleased',
  'PaymentTaken',
  'PaymentDeclined',
  'PaymentRefunded',
  'ShipmentDispatched',
] as const;
