import { defineRouting } from '../../../core/messaging/EventRouting';
import { MESSAGING_ERRORS } from '../../../core/messaging/MessagingErrors';
import { defineTopics, matchesFilter, subscriptionOf } from '../../../core/messaging/Topic';
import { ORDER_EVENT_TYPES } from '../../../domain';
import { CORE_STREAM, ORDER_EVENTS_TOPIC, ORDER_NOTICES_QUEUE, routing, topics } from '../../../pipelines';

describe('defineRouting', () => {
  const table = defineRouting({ coreStream: 'core', core: ['OrderPlaced', 'OrderConfirmed'], topic: 'order-events', nonCritical: ['OrderConfirmed', 'OrderShipped'] });

  it('sends a type to the core stream, the topic, or both, as declared', () => {
    // given the table above
    // when asking for each type's destinations
    const destinations = ['OrderPlaced', 'OrderConfirmed', 'OrderShipped'].map((type) => table.destinationsOf(type));
    // then each goes where its lists say
    expect(destinations).toEqual([
      { streams: ['core'], topics: [] },
      { streams: ['core'], topics: ['order-events'] },
      { streams: [], topics: ['order-events'] },
    ]);
  });

  it('refuses an event type the table does not name, naming the type', () => {
    // given a type in neither list
    // when routing it
    const routingIt = (): unknown => table.destinationsOf('OrderRefunded');
    // then it is refused rather than guessed
    expect(routingIt).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.EVENT_NOT_ROUTED, details: { eventType: 'OrderRefunded' } }));
  });

  it('refuses a list that names a type twice', () => {
    // given a core list with a duplicate
    // when it is declared
    const declaring = (): unknown => defineRouting({ coreStream: 'core', core: ['OrderPlaced', 'OrderPlaced'], topic: 't', nonCritical: [] });
    // then the declaration is refused
    expect(declaring).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.INVALID_DECLARATION }));
  });
});

describe('the declared routing of Order events', () => {
  it('routes every Order event type to the core stream, and confirmations and cancellations to the topic as well', () => {
    // given every Order event type the domain emits
    // when the declared table routes each
    const routed = Object.fromEntries(ORDER_EVENT_TYPES.map((type) => [type, routing.destinationsOf(type)]));
    // then all feed the core stream, and the notices' types the topic too
    expect(routed).toEqual({
      OrderPlaced: { streams: [CORE_STREAM], topics: [] },
      OrderItemAdded: { streams: [CORE_STREAM], topics: [] },
      OrderConfirmed: { streams: [CORE_STREAM], topics: [ORDER_EVENTS_TOPIC] },
      OrderCancelled: { streams: [CORE_STREAM], topics: [ORDER_EVENTS_TOPIC] },
    });
  });

  it('declares the order-notices subscriber with the AWS path defaults', () => {
    // given the declared topics
    // when looking up the notices queue
    const subscription = subscriptionOf(topics, ORDER_NOTICES_QUEUE);
    // then it subscribes to the topic with visibility 30 s, DLQ after 5 receives and order per key
    expect(subscription).toMatchObject({ topic: ORDER_EVENTS_TOPIC, visibilityTimeoutMs: 30_000, maxReceiveCount: 5, ordering: 'per-key' });
  });
});

describe('defineTopics', () => {
  it('refuses a queue subscribed twice', () => {
    // given two topics subscribing the same queue
    // when declared
    const declaring = (): unknown => defineTopics([
      { name: 'a', subscriptions: [{ queue: 'q' }] },
      { name: 'b', subscriptions: [{ queue: 'q' }] },
    ]);
    // then the topology is refused, naming the queue
    expect(declaring).toThrow(/queue name "q"/);
  });

  it('refuses a subscriber that could never dead-letter or a filter that accepts nothing', () => {
    // given a maxReceiveCount of 0 and an empty filter
    // when declared
    const zero = (): unknown => defineTopics([{ name: 'a', subscriptions: [{ queue: 'q', maxReceiveCount: 0 }] }]);
    const empty = (): unknown => defineTopics([{ name: 'a', subscriptions: [{ queue: 'q', filter: { eventType: [] } }] }]);
    // then both are refused
    expect(zero).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.INVALID_DECLARATION }));
    expect(empty).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.INVALID_DECLARATION }));
  });

  it('refuses to look up a queue no topic declares', () => {
    // given the declared topics
    // when asking for an unknown queue
    const lookingUp = (): unknown => subscriptionOf(topics, 'nobody');
    // then it is named unknown
    expect(lookingUp).toThrow(expect.objectContaining({ code: MESSAGING_ERRORS.UNKNOWN_QUEUE }));
  });
});

describe('matchesFilter', () => {
  it('accepts a message only when every filtered attribute has an accepted value', () => {
    // given a filter on type and aggregate type
    const filter = { eventType: ['OrderConfirmed', 'OrderCancelled'], aggregateType: ['Order'] };
    // when matching messages
    const verdicts = [
      matchesFilter(filter, { eventType: 'OrderConfirmed', aggregateType: 'Order' }),
      matchesFilter(filter, { eventType: 'OrderPlaced', aggregateType: 'Order' }),
      matchesFilter(filter, { eventType: 'OrderConfirmed' }),
      matchesFilter(undefined, { eventType: 'Anything' }),
    ];
    // then only a full match passes, and no filter passes all
    expect(verdicts).toEqual([true, false, false, true]);
  });
});
