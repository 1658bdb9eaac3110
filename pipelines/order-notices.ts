/**
 * A notification-style subscriber of the non-critical path: OrderConfirmed and OrderCancelled
 * from the `order-notices` subscriber queue -> an `order-notices` document per order, the
 * notice a customer would be sent. Keyed by aggregateId; at-least-once (a message is acked only
 * once projected), idempotent by aggregate version; a message that keeps failing is redelivered
 * with backoff and, after 5 receives, lies in the queue's dead-letter queue.
 */
import { definePipeline } from '../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import { collectionOf, collectionOptionsOf, defineReadModel } from '../core/readmodel/ReadModelDeclaration';
import { subscriberQueue } from '../core/streams/RecordSource';
import { decode, ofType, project, upcast } from '../operators';
import { ORDER_NOTICES_QUEUE } from './routing';

/**
 * The notices (`GET /api/queries/order-notices`). No owner field: OrderConfirmed and
 * OrderCancelled do not carry the customer, so a grant on own orders only reads none of them;
 * they need `orders:read` on any order (support, auditor, admin).
 */
export const orderNoticesReadModel = defineReadModel({
  resourceType: 'order-notices',
  documentType: 'order-notice',
  permission: 'orders',
  description: "The latest notice of each confirmed or cancelled order, the one its customer would be sent.",
  fields: {
    orderId: { type: 'string', description: 'The order id (the document id).' },
    kind: { type: 'string', filterable: true, values: ['confirmed', 'cancelled'] },
    text: { type: 'string', fullText: true, description: 'The notice as its customer would read it; searched by /search?q=.' },
    at: { type: 'timestamp', sortable: true, description: 'When the event happened.' },
  },
  defaultSort: { field: 'at', direction: 'desc' },
});

/** The read-model collection the notices are written to. */
export const ORDER_NOTICES_COLLECTION = collectionOf(orderNoticesReadModel);

/** One order's latest notice. */
export interface OrderNotice {
  orderId: string;
  kind: 'confirmed' | 'cancelled';
  text: string;
  /** When the event happened (ISO-8601 UTC). */
  at: string;
}

export default definePipeline({
  name: 'order-notices',
  source: subscriberQueue(ORDER_NOTICES_QUEUE),
  pipe: (records$, { codec, upcasters, readModels }) =>
    records$.pipe(
      decode(codec),
      upcast(upcasters),
      ofType('OrderConfirmed', 'OrderCancelled'),
      project(readModels.collection<OrderNotice>(ORDER_NOTICES_COLLECTION, collectionOptionsOf(orderNoticesReadModel)), noticeOf),
    ),
});

/** The notice an event calls for; the previous notice of the order is replaced. */
function noticeOf(_current: OrderNotice | undefined, event: PipelineEvent): OrderNotice {
  const orderId = event.envelope.aggregateId;
  if (event.eventType === 'OrderCancelled') {
    return { orderId, kind: 'cancelled', text: `Your order ${orderId} was cancelled: ${String(event.payload.reason)}`, at: String(event.payload.cancelledAt) };
  }
  return { orderId, kind: 'confirmed', text: `Your order ${orderId} is confirmed`, at: String(event.payload.confirmedAt) };
}
