import type { EventStore } from '../events/EventStore';
import type { EventCodec } from '../schema/EventCodec';
import { SAGA_AGGREGATE_TYPE, SAGA_EVENT_TYPES } from './SagaEvents';
import type { SagaEvent } from './SagaEvents';
import { evolveSaga } from './SagaState';
import type { NoSaga, SagaState } from './SagaState';

/** Events read per page while a saga stream is folded. */
const PAGE_SIZE = 500;

const SAGA_TYPES: ReadonlySet<string> = new Set(SAGA_EVENT_TYPES);

/** One transition as stored: the event and when it happened. */
export interface SagaTransition {
  event: SagaEvent;
  version: number;
  occurredAt: string;
  eventId: string;
}

/** Where a transition came from, written into its envelope. */
export interface SagaAppendContext {
  correlationId: string;
  causationId?: string;
}

/**
 * A saga's stream in the event store: its transitions are governed events (encoded against their
 * registered schemas by the store, like any other), appended with optimistic concurrency on
 * the stream's version, so two runtimes deciding on the same version cannot both record.
 * The same class serves every backend: it only speaks the {@link EventStore} port.
 *
 * Errors: the store's (`CONCURRENCY_CONFLICT` on a stale version, `EVENT_STORE_UNAVAILABLE`,
 * the codec's on an unregistered transition type).
 *
 * @example
 * ```ts
 * const journal = new SagaJournal(eventStore, codec);
 * const { state, version } = await journal.load('fulfilment-o-1');
 * ```
 */
export class SagaJournal {
  constructor(
    private readonly eventStore: EventStore,
    private readonly codec: EventCodec,
  ) {}

  /** The saga's state folded from its stream; `{ status: 'none' }` when there is none. */
  async load(sagaId: string): Promise<SagaState | NoSaga> {
    let state: SagaState | NoSaga = { status: 'none', version: 0 };
    for await (const transition of this.transitions(sagaId)) state = evolveSaga(state, transition.event, transition.version);
    return state;
  }

  /** Every transition of the saga, in order; none for an unknown id or a stream that is not a saga's. */
  async *transitions(sagaId: string): AsyncGenerator<SagaTransition> {
    let cursor: string | undefined;
    do {
      const page = await this.eventStore.readStream(sagaId, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      for (const stored of page.items) {
        // Saga ids share the event store's id space with every aggregate: another type's stream is no saga.
        if (stored.aggregateType !== SAGA_AGGREGATE_TYPE) return;
        if (!SAGA_TYPES.has(stored.eventType)) continue;
        const decoded = await this.codec.decode(stored.payload);
        const event = { type: decoded.eventType, data: decoded.payload } as unknown as SagaEvent;
        yield { event, version: stored.aggregateVersion, occurredAt: stored.occurredAt, eventId: stored.eventId };
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** Appends transitions at `expectedVersion`; returns the stream's new version. */
  async append(sagaId: string, expectedVersion: number, events: readonly SagaEvent[], context: SagaAppendContext): Promise<number> {
    const result = await this.eventStore.append(
      sagaId,
      expectedVersion,
      events.map((event) => ({ eventType: event.type, payload: { ...event.data } })),
      { aggregateType: SAGA_AGGREGATE_TYPE, correlationId: context.correlationId, causationId: context.causationId ?? null },
    );
    return result.version;
  }
}
