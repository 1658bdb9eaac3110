import type { Database, Statement } from 'better-sqlite3';
import { SnapshotStoreUnavailableError } from '../../core/snapshot/SnapshotErrors';
import type { ExpiredSnapshotPurge, Snapshot, SnapshotStore } from '../../core/snapshot/SnapshotStore';

interface SnapshotRow {
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  fold_version: string;
  state_json: string;
  last_event_at: string;
  created_at: string;
  expires_at: string;
}

/**
 * Aggregate snapshots in a `snapshots` table, one row per aggregate (its latest snapshot). Times
 * are `toISOString()` text, so they compare as text. `put` is one upsert whose update runs only
 * when the stored row is of another fold version, older, or expired: of two writers racing, the
 * newer snapshot stays. Expired rows are never answered and are deleted by `deleteExpired`
 * (the embedded sweep), the rule DynamoDB's TTL applies on AWS.
 *
 * Errors: every SQLite failure is `SNAPSHOT_STORE_UNAVAILABLE` with the engine's error as cause.
 *
 * @example
 * const snapshots = new SqliteSnapshotStore(openSqliteDatabase(join(dataDir, 'snapshots.db')));
 * const latest = await snapshots.latest('o-1', '1', new Date());
 */
export class SqliteSnapshotStore implements SnapshotStore, ExpiredSnapshotPurge {
  private readonly selectLatest: Statement<[string, string, string], SnapshotRow>;
  private readonly upsert: Statement<SnapshotRow>;
  private readonly deleteBefore: Statement<[string]>;

  constructor(db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS snapshots (
        aggregate_id TEXT PRIMARY KEY,
        aggregate_type TEXT NOT NULL,
        version INTEGER NOT NULL,
        fold_version TEXT NOT NULL,
        state_json TEXT NOT NULL,
        last_event_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS snapshots_by_expiry ON snapshots (expires_at)`);
    this.selectLatest = db.prepare('SELECT * FROM snapshots WHERE aggregate_id = ? AND fold_version = ? AND expires_at > ?');
    this.upsert = db.prepare(`
      INSERT INTO snapshots (aggregate_id, aggregate_type, version, fold_version, state_json, last_event_at, created_at, expires_at)
      VALUES (@aggregate_id, @aggregate_type, @version, @fold_version, @state_json, @last_event_at, @created_at, @expires_at)
      ON CONFLICT (aggregate_id) DO UPDATE SET
        aggregate_type = excluded.aggregate_type, version = excluded.version, fold_version = excluded.fold_version,
        state_json = excluded.state_json, last_event_at = excluded.last_event_at, created_at = excluded.created_at, expires_at = excluded.expires_at
      WHERE snapshots.fold_version <> excluded.fold_version OR snapshots.version < excluded.version OR snapshots.expires_at <= excluded.created_at`);
    this.deleteBefore = db.prepare('DELETE FROM snapshots WHERE expires_at <= ?');
  }

  async latest(aggregateId: string, foldVersion: string, now: Date): Promise<Snapshot | undefined> {
    const row = this.guard('latest', aggregateId, () => this.selectLatest.get(aggregateId, foldVersion, now.toISOString()));
    return row === undefined ? undefined : snapshotOf(row);
  }

  async put(snapshot: Snapshot): Promise<boolean> {
    const row: SnapshotRow = {
      aggregate_id: snapshot.aggregateId,
      aggregate_type: snapshot.aggregateType,
      version: snapshot.version,
      fold_version: snapshot.foldVersion,
      state_json: snapshot.stateJson,
      last_event_at: iso(snapshot.lastEventAt),
      created_at: iso(snapshot.createdAt),
      expires_at: iso(snapshot.expiresAt),
    };
    return this.guard('put', snapshot.aggregateId, () => this.upsert.run(row).changes === 1);
  }

  async deleteExpired(now: Date): Promise<number> {
    return this.guard('deleteExpired', undefined, () => this.deleteBefore.run(now.toISOString()).changes);
  }

  private guard<T>(operation: string, aggregateId: string | undefined, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw new SnapshotStoreUnavailableError(operation, aggregateId, error);
    }
  }
}

/** Normalised, so that stored times compare as text whatever offset the caller wrote. */
function iso(time: string): string {
  return new Date(time).toISOString();
}

function snapshotOf(row: SnapshotRow): Snapshot {
  return {
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    version: row.version,
    foldVersion: row.fold_version,
    stateJson: row.state_json,
    lastEventAt: row.last_event_at,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
