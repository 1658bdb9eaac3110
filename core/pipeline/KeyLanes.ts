/**
 * Spreads the keys of a batch over at most `concurrency` lanes, round robin in order of first
 * appearance. Every record of a key lands in the same lane, in batch order, so a lane worked one
 * record after another keeps order per key while the lanes run concurrently.
 */
export class KeyLanes<T extends { key: string }> {
  readonly lanes: T[][] = [];
  private readonly laneOf = new Map<string, T[]>();

  constructor(private readonly concurrency: number) {}

  add(entry: T): void {
    let lane = this.laneOf.get(entry.key);
    if (!lane) {
      if (this.lanes.length < this.concurrency) this.lanes.push([]);
      lane = this.lanes[this.laneOf.size % this.lanes.length] as T[];
      this.laneOf.set(entry.key, lane);
    }
    lane.push(entry);
  }
}
