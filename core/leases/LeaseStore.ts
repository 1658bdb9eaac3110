/** Checkpoint of a lease whose shard has not been read yet: start at the oldest record. */
export const TRIM_HORIZON = 'TRIM_HORIZON';
/** Checkpoint of a lease whose shard was read to its end (closed by a reshard or a rollover). */
export const SHARD_END = 'SHARD_END';

/**
 * The right to read one shard for one consumer group, held by one worker at a time, as the
 * Kinesis Client Library keeps it: whoever bumps `counter` last under a condition owns it.
 */
export interface ShardLease {
  shardId: string;
  /** The worker holding it; null when free. */
  owner: string | null;
  /** Bumped by every take, renewal and release: a counter that stops moving means an owner that died. */
  counter: number;
  /** Sequence number of the last record finished, {@link TRIM_HORIZON} or {@link SHARD_END}. Kept as text: sequence numbers exceed 2^53. */
  checkpoint: string;
  /** Shards this one was split or merged from; it is read only once they are finished. */
  parentShardIds: readonly string[];
}

/** A shard as the stream lists it. */
export interface ShardDescription {
  shardId: string;
  parentShardIds: readonly string[];
}

/**
 * Leases of one consumer group (one pipeline on one stream). Every write is conditional, so two
 * workers never both believe they won the same race; a lost race answers `undefined`/`false`,
 * never throws. Errors: the backend's "unavailable" error after its own retries.
 */
export interface LeaseStore {
  /** Every lease of the group. */
  list(): Promise<ShardLease[]>;
  /** Creates a free lease for `shard` at `checkpoint` unless one exists; true when it created it. */
  createIfAbsent(shard: ShardDescription, checkpoint: string): Promise<boolean>;
  /** Makes `owner` the holder if the counter is still `expectedCounter` (free, expired or stolen alike). */
  take(shardId: string, owner: string, expectedCounter: number): Promise<ShardLease | undefined>;
  /** Bumps the counter if `owner` still holds the lease at `expectedCounter`. */
  renew(shardId: string, owner: string, expectedCounter: number): Promise<ShardLease | undefined>;
  /** Records progress if `owner` still holds the lease. */
  checkpoint(shardId: string, owner: string, checkpoint: string): Promise<boolean>;
  /** Frees the lease if `owner` holds it (a clean shutdown: others need not wait for it to expire). */
  release(shardId: string, owner: string): Promise<boolean>;
}
