import { MessagingError, MESSAGING_ERRORS } from './MessagingErrors';

/** Where one event goes: streams (the core path) and topics (the non-critical path). */
export interface RouteDestinations {
  streams: readonly string[];
  topics: readonly string[];
}

/**
 * Which event types take which path, declared in code. An event type may be in both lists
 * (a projection needs it on the core stream, a notifier on the topic); every type the
 * system emits must be in at least one.
 */
export interface RoutingDeclaration {
  /** The stream of core (business-critical) events: Kinesis on AWS, the embedded log locally. */
  coreStream: string;
  /** Event types copied to the core stream. */
  core: readonly string[];
  /** The topic of non-critical events: SNS on AWS, SQLite embedded. */
  topic: string;
  /** Event types published to the topic (then fanned out to its subscribers' queues). */
  nonCritical: readonly string[];
}

/** A checked routing table: answers an event type's destinations from the envelope alone. */
export interface EventRouting {
  readonly declaration: RoutingDeclaration;
  /** Throws EVENT_NOT_ROUTED for a type the table does not name. */
  destinationsOf(eventType: string): RouteDestinations;
}

/**
 * Checks and compiles a routing table. Routing looks only at the event type, never at the
 * payload; an undeclared type is refused (EVENT_NOT_ROUTED) rather than guessed, so a new event
 * type cannot silently skip a path: the router retries, then parks it until the table says.
 *
 * @example
 * ```ts
 * const routing = defineRouting({ coreStream: 'core', core: ['OrderPlaced'], topic: 'order-events', nonCritical: ['OrderPlaced'] });
 * routing.destinationsOf('OrderPlaced'); // { streams: ['core'], topics: ['order-events'] }
 * ```
 */
export function defineRouting(declaration: RoutingDeclaration): EventRouting {
  for (const [path, types] of [['core', declaration.core], ['nonCritical', declaration.nonCritical]] as const) {
    if (new Set(types).size !== types.length) {
      throw new MessagingError(MESSAGING_ERRORS.INVALID_DECLARATION, `routing: ${path} names an event type twice`, { details: { field: path } });
    }
  }
  const table = new Map<string, RouteDestinations>();
  for (const eventType of new Set([...declaration.core, ...declaration.nonCritical])) {
    table.set(eventType, {
      streams: declaration.core.includes(eventType) ? [declaration.coreStream] : [],
      topics: declaration.nonCritical.includes(eventType) ? [declaration.topic] : [],
    });
  }
  return {
    declaration,
    destinationsOf: (eventType) => {
      const destinations = table.get(eventType);
      if (destinations) return destinations;
      throw new MessagingError(MESSAGING_ERRORS.EVENT_NOT_ROUTED, `event type ${eventType} is in neither the core nor the non-critical list of the routing table`, {
        details: { eventType },
      });
    },
  };
}
