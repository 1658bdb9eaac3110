/**
 * A notification-style subscriber of the non-critical path: OrderConfirmed and OrderCancelled
 * from the `order-notices` subscriber queue -> an `order-notices` document per order, the
 * notice a customer would be sent. Keyed by aggregateId; at-least-once (a message is acked only
 * once projected), idempotent by aggregate version; a message that keeps failing is redelivered
 * with backoff and, after 5 receives, lies in the queue's dead-letter queue.
 */
import { definePipeline } from '../core/pipeline/PipelineDefinition';
import type { PipelineEvent } from '../core/pipeline/PipelineEvent';
import { subscriberQueue } from '../core/streams/RecordSource';
import { decode, ofType, project, upcast } from '../operators';
import { ORDER_NOTICES_QUEUE } from './routing';

/** The read-model collection the notices are written to. */
export const ORDER_NOTICES_COLLECTION = 'order-notices';

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
      project(readModels.collection<OrderNotice>(ORDER_NOTICES_COLLECTION), noticeOf),
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
