import type { EventStore } from '../events/EventStore';
import type { SagaDeadlineStore } from './SagaDeadlineStore';

/**
 * The `sagas` port of a pipeline: where sagas keep their state. Their streams live in the event
 * store (aggregateType `Saga`), their in-flight deadlines in a deadline store.
 */
export interface SagaStores {
  eventStore: EventStore;
  deadlines: SagaDeadlineStore;
}
