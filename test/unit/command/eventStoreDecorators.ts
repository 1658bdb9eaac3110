import type { EventStore } from '../../../core/events/EventStore';

/**
 * The real store, with appends held until `parties` of them have arrived, so that concurrent
 * commands are all decided before any of them is stored.
 */
export function appendBarrier(eventStore: EventStore, parties: number): EventStore {
  let waiting = 0;
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (release = resolve));
  return {
    ...bindAll(eventStore),
    append: async (...args) => {
      waiting += 1;
      if (waiting >= parties) release();
      await allArrived;
      return eventStore.append(...args);
    },
  };
}

/**
 * The real store, running `competitor` (another writer's real command or append) before each of
 * the first `times` appends: the append then finds its aggregate moved on since the decision.
 */
export function racedBy(eventStore: EventStore, competitor: (round: number) => Promise<unknown>, times = Number.POSITIVE_INFINITY): EventStore & { rounds(): number } {
  let rounds = 0;
  return {
    ...bindAll(eventStore),
    append: async (...args) => {
      if (rounds < times) {
        rounds += 1;
        await competitor(rounds);
      }
      return eventStore.append(...args);
    },
    rounds: () => rounds,
  };
}

function bindAll(eventStore: EventStore): EventStore {
  return {
    append: eventStore.append.bind(eventStore),
    readStream: eventStore.readStream.bind(eventStore),
    readByTimeRange: eventStore.readByTimeRange.bind(eventStore),
    currentVersion: eventStore.currentVersion.bind(eventStore),
  };
}
