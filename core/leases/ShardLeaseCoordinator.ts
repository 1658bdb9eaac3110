import { SHARD_END, TRIM_HORIZON } from './LeaseStore';
import type { LeaseStore, ShardDescription, ShardLease } from './LeaseStore';

/** Lists the shards of the stream being read (Kinesis ListShards, Streams DescribeStream). */
export type ShardLister = () => Promise<ShardDescription[]>;

/** Options of {@link ShardLeaseCoordinator}. */
export interface ShardLeaseCoordinatorOptions {
  /** This worker's id, unique among the group's workers (a process, a container). */
  workerId: string;
  /**
   * How long a lease whose counter does not move is still honoured. Call {@link ShardLeaseCoordinator.tick}
   * well within it (a third of it is usual), or this worker's leases are taken over.
   * @defaultValue 10000
   */
  leaseDurationMs?: number;
  /** Leases taken from a busier worker per tick; more converges faster and churns more. @defaultValue 1 */
  maxStealsPerTick?: number;
  /** Clock. @defaultValue Date.now */
  now?: () => number;
}

const DEFAULTS = { leaseDurationMs: 10_000, maxStealsPerTick: 1, now: Date.now };

/** What one {@link ShardLeaseCoordinator.tick} leaves this worker with. */
export interface LeaseAssignment {
  /** Every lease this worker holds after the tick. */
  held: ShardLease[];
  /** The held leases to read now: not finished, and every parent finished (or gone from the stream). */
  ready: ShardLease[];
  /** Leases this worker held before the tick and lost (taken over): stop reading them. */
  lost: string[];
}

/**
 * Shares the shards of a stream among the workers of a consumer group, the way the Kinesis
 * Client Library does: each tick syncs a lease per listed shard, renews this worker's leases,
 * takes free and expired ones, and, while it holds fewer than its share (ceil(shards / workers)),
 * steals from the busiest worker. A lease is expired when its counter has not moved for
 * `leaseDurationMs` of this worker's own clock (no clock is compared across machines).
 *
 * Guarantees: at most one worker believes it holds a lease after its renewal succeeded; a
 * worker whose lease was taken learns it at its next renewal (`lost`), and its checkpoints fail
 * from the moment it lost it, so the new owner starts from the last checkpoint of the old. A
 * child shard is ready only when its parents are finished ({@link SHARD_END}), so records of
 * one key stay in order across a reshard. Between a steal and the victim's next tick both may
 * read the shard: records may be processed twice, never skipped (sinks are idempotent).
 */
export class ShardLeaseCoordinator {
  private readonly settings: Required<ShardLeaseCoordinatorOptions>;
  /** Counter of every lease as last seen, and when it was first seen at that value. */
  private readonly observed = new Map<string, { counter: number; sinceMs: number }>();
  private readonly held = new Map<string, ShardLease>();

  constructor(
    private readonly store: LeaseStore,
    private readonly listShards: ShardLister,
    options: ShardLeaseCoordinatorOptions,
  ) {
    this.settings = { ...DEFAULTS, ...options };
  }

  get workerId(): string {
    return this.settings.workerId;
  }

  /** One round of sync, renew, take and steal. */
  async tick(): Promise<LeaseAssignment> {
    const shards = await this.listShards();
    for (const shard of shards) await this.store.createIfAbsent(shard, TRIM_HORIZON);
    const lost = await this.renewHeld();
    const leases = await this.store.list();
    this.observe(leases);
    await this.takeShare(leases);
    const held = [...this.held.values()];
    const listed = new Set(shards.map((shard) => shard.shardId));
    const finished = new Set(leases.filter((lease) => lease.checkpoint === SHARD_END).map((lease) => lease.shardId));
    const ready = held.filter((lease) => lease.checkpoint !== SHARD_END && lease.parentShardIds.every((parent) => finished.has(parent) || !listed.has(parent)));
    return { held, ready, lost };
  }

  /** Records progress on a held lease; false when the lease was lost (stop reading that shard). */
  async checkpoint(shardId: string, checkpoint: string): Promise<boolean> {
    if (!this.held.has(shardId)) return false;
    const written = await this.store.checkpoint(shardId, this.settings.workerId, checkpoint);
    // A renewal may have run during the write: keep its counter, whatever the lease is now.
    const current = this.held.get(shardId);
    if (written && current) this.held.set(shardId, { ...current, checkpoint });
    else if (!written) this.held.delete(shardId);
    return written;
  }

  /** The checkpoint this worker last wrote or read for a held lease. */
  checkpointOf(shardId: string): string | undefined {
    return this.held.get(shardId)?.checkpoint;
  }

  /** Frees every held lease (clean shutdown), so that other workers take them at once. */
  async releaseAll(): Promise<void> {
    for (const shardId of [...this.held.keys()]) {
      await this.store.release(shardId, this.settings.workerId);
      this.held.delete(shardId);
    }
  }

  private async renewHeld(): Promise<string[]> {
    const lost: string[] = [];
    for (const lease of [...this.held.values()]) {
      const renewed = await this.store.renew(lease.shardId, this.settings.workerId, lease.counter);
      if (renewed) {
        this.held.set(lease.shardId, renewed);
      } else {
        this.held.delete(lease.shardId);
        lost.push(lease.shardId);
      }
    }
    return lost;
  }

  private observe(leases: readonly ShardLease[]): void {
    const now = this.settings.now();
    for (const lease of leases) {
      const seen = this.observed.get(lease.shardId);
      if (!seen || seen.counter !== lease.counter) this.observed.set(lease.shardId, { counter: lease.counter, sinceMs: now });
    }
  }

  private isExpired(lease: ShardLease): boolean {
    if (lease.owner === null) return true;
    const seen = this.observed.get(lease.shardId);
    return seen !== undefined && seen.counter === lease.counter && this.settings.now() - seen.sinceMs >= this.settings.leaseDurationMs;
  }

  private async takeShare(leases: readonly ShardLease[]): Promise<void> {
    const me = this.settings.workerId;
    const open = leases.filter((lease) => lease.checkpoint !== SHARD_END);
    const live = open.filter((lease) => lease.owner !== me && !this.isExpired(lease));
    const workers = new Set([me, ...live.map((lease) => lease.owner as string)]);
    const target = Math.ceil(open.length / workers.size);
    const mine = () => this.held.size;
    // Parents first: a child is useless until its parents are read to their end.
    // A lease recorded as ours that we do not hold (a renewal lost to a race with our own write, a
    // restart with the same worker id) is taken back at once, not left to expire.
    const takeable = open.filter((lease) => !this.held.has(lease.shardId) && (lease.owner === me || this.isExpired(lease))).sort((a, b) => a.parentShardIds.length - b.parentShardIds.length);
    for (const lease of takeable) {
      if (mine() >= target) return;
      await this.tryTake(lease);
    }
    for (let steals = 0; steals < this.settings.maxStealsPerTick && mine() < target; steals += 1) {
      const victim = busiestWorker(live, this.held);
      if (!victim || victim.leases.length <= target) return;
      await this.tryTake(victim.leases[0] as ShardLease);
    }
  }

  private async tryTake(lease: ShardLease): Promise<void> {
    const taken = await this.store.take(lease.shardId, this.settings.workerId, lease.counter);
    if (taken) this.held.set(taken.shardId, taken);
  }
}

/** The worker holding the most live leases (not this one), with those leases. */
function busiestWorker(live: readonly ShardLease[], held: ReadonlyMap<string, ShardLease>): { owner: string; leases: ShardLease[] } | undefined {
  const byOwner = new Map<string, ShardLease[]>();
  for (const lease of live) {
    if (held.has(lease.shardId) || lease.owner === null) continue;
    const leases = byOwner.get(lease.owner) ?? [];
    leases.push(lease);
    byOwner.set(lease.owner, leases);
  }
  let busiest: { owner: string; leases: ShardLease[] } | undefined;
  for (const [owner, leases] of byOwner) if (!busiest || leases.length > busiest.leases.length) busiest = { owner, leases };
  return busiest;
}
