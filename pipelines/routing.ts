/**
 * Which event goes where, declared in code: the routing table the router applies to every
 * stored event (on its envelope alone), and the topics of the non-critical path with their
 * subscribers. On AWS the same declaration names the Kinesis stream, the SNS topic and one SQS
 * queue (with its DLQ) per subscriber.
 */
import { defineRouting } from '../core/messaging/EventRouting';
import { defineTopics } from '../core/messaging/Topic';
import { SAGA_EVENT_TYPES } from '../core/saga/SagaEvents';
import { FULFILMENT_EVENT_TYPES, ORDER_EVENT_TYPES } from '../domain';

/** Name of the stream that carries core (business-critical) events. */
export const CORE_STREAM = 'core';
/** The topic of non-critical Order events. */
export const ORDER_EVENTS_TOPIC = 'order-events';
/** The subscriber queue of the order-notices pipeline. */
export const ORDER_NOTICES_QUEUE = 'order-notices';

/**
 * Every Order event feeds the projections, so all are core; confirmations and cancellations
 * also go to the topic, for consumers that may lag or fail without holding up the core path.
 */
export const routing = defineRouting({
  coreStream: CORE_STREAM,
  // Fulfilment's events feed its saga (pipelines/fulfilment.ts); the sagas' own transitions are
  // routed too, for consumers of the audit trail.
  core: [...ORDER_EVENT_TYPES, ...FULFILMENT_EVENT_TYPES, ...SAGA_EVENT_TYPES],
  topic: ORDER_EVENTS_TOPIC,
  nonCritical: ['OrderConfirmed', 'OrderCancelled'],
});

/** The topics and their subscribers: each subscriber gets its own queue (and dead-letter queue). */
export const topics = defineTopics([
  {
    name: ORDER_EVENTS_TOPIC,
    subscriptions: [
      // Visibility 30 s, DLQ after 5 receives, order per order id: the defaults, said here for the reader.
      { queue: ORDER_NOTICES_QUEUE, filter: { eventType: ['OrderConfirmed', 'OrderCancelled'] }, visibilityTimeoutMs: 30_000, maxReceiveCount: 5, ordering: 'per-key' },
    ],
  },
]);
