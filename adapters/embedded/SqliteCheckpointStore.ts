import type { Database, Statement } from 'better-sqlite3';
import type { CheckpointStore } from '../../core/checkpoint/CheckpointStore';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';

/**
 * Pipeline checkpoints in the `checkpoints` table. A checkpoint never moves backwards: setting
 * a lower position than the stored one is a no-op, so a slow duplicate worker cannot rewind.
 * `atomically` runs a batch in the connection's shared transaction ({@link SqliteUnitOfWork}):
 * the read-model writes, stream publishes and dead letters on this connection commit with the
 * checkpoint, in one commit.
 *
 * @example
 * const checkpoints = new SqliteCheckpointStore(db);
 * await checkpoints.set('order-list', 42);
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly selectPosition: Statement<[string], { position: number }>;
  private readonly upsertPosition: Statement<[string, number, string]>;

  private readonly unitOfWork: SqliteUnitOfWork;

  constructor(db: Database) {
    this.unitOfWork = SqliteUnitOfWork.of(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (
        pipeline_name TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    this.selectPosition = db.prepare('SELECT position FROM checkpoints WHERE pipeline_name = ?');
    this.upsertPosition = db.prepare(`
      INSERT INTO checkpoints (pipeline_name, position, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (pipeline_name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
      WHERE excluded.position > checkpoints.position`);
  }

  async get(pipelineName: string): Promise<number> {
    return this.selectPosition.get(pipelineName)?.position ?? 0;
  }

  async set(pipelineName: string, position: number): Promise<void> {
    this.upsertPosition.run(pipelineName, position, new Date().toISOString());
  }

  atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.unitOfWork.run(work);
  }
}
