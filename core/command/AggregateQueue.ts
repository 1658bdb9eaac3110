/**
 * Runs the work given for one aggregate one at a time, in arrival order; different aggregates
 * run concurrently. An entry lives only while its aggregate has work queued.
 *
 * Why: commands on one aggregate that overlap in one process would all decide on the same
 * version and all but one would conflict; queued, each decides on its predecessor's outcome.
 * Optimistic concurrency still guards against other processes.
 */
export class AggregateQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier work of `aggregateId` has settled; settles as `work` does. */
  run<T>(aggregateId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(aggregateId);
    const result = previous === undefined ? work() : previous.then(work, work);
    const tail = result.then(settled, settled);
    this.tails.set(aggregateId, tail);
    void tail.then(() => {
      if (this.tails.get(aggregateId) === tail) this.tails.delete(aggregateId);
    });
    return result;
  }

  /** How many aggregates have work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}

function settled(): void {
  // The queue waits for the outcome, never for its value or error.
}
