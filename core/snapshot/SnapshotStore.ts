/**
 * One aggregate's state folded up to `version`, kept so that loading it reads only the events
 * after. The state is JSON text: what `evolve` folds is plain data of the decider's own shape,
 * not a registered event schema, so JSON keeps it without a schema round trip, its size is what
 * `maxStateBytes` measures, it reads as is in the SQLite shell and the DynamoDB console, and
 * its compatibility is governed by `foldVersion` instead of a schema (a state JSON would
 * change is refused before it is stored: SNAPSHOT_STATE_NOT_JSON).
 */
export interface Snapshot {
  aggregateType: string;
  aggregateId: string;
  /** The aggregate version the state was folded up to (>= 1). */
  version: number;
  /** The fold version of the code that made it (`SnapshotOptions.foldVersion`, as text). */
  foldVersion: string;
  /** `JSON.stringify` of the state. */
  stateJson: string;
  /**
   * The latest `occurredAt` of the events folded (ISO-8601): a temporal query as of a time at or
   * after it may start from this snapshot.
   */
  lastEventAt: string;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601; from then on the snapshot is never served and may be deleted. */
  expiresAt: string;
}

/**
 * Where snapshots are kept: at most one per aggregate, the latest (a snapshot is a cache of its
 * events, so older ones have no use the events do not serve).
 *
 * Guarantees: `latest` never answers an expired snapshot or one of another fold version; `put`
 * never replaces a snapshot of the same fold version at the same or a higher version (two
 * writers racing keep the newer), and does replace one of another fold version or an expired
 * one. Errors: `SNAPSHOT_STORE_UNAVAILABLE` (engine failure, cause kept), `SNAPSHOT_TOO_LARGE`.
 */
export interface SnapshotStore {
  /** The aggregate's snapshot made by `foldVersion` and not expired at `now`; undefined otherwise. */
  latest(aggregateId: string, foldVersion: string, now: Date): Promise<Snapshot | undefined>;
  /** Stores `snapshot` unless a newer one of its fold version is there; true when it was stored. */
  put(snapshot: Snapshot): Promise<boolean>;
}

/** A store that deletes expired snapshots itself when asked (embedded; DynamoDB's TTL does it on AWS). */
export interface ExpiredSnapshotPurge {
  /** Deletes the snapshots expired at `now`; answers how many. */
  deleteExpired(now: Date): Promise<number>;
}
