import type { Database, Statement } from 'better-sqlite3';
import { SAGA_DEADLINE_ERRORS } from '../../core/saga/SagaDeadlineStore';
import type { SagaDeadline, SagaDeadlineStore } from '../../core/saga/SagaDeadlineStore';
import { sqliteFailureAs } from './sqliteFailureAs';

interface DeadlineRow {
  saga_type: string;
  saga_id: string;
  step: string;
  due_at: string;
}

/**
 * Saga deadlines in the `saga_deadlines` table: a row per saga with a step in flight, an index
 * on the due time for the timer's sweep. Open it on the event store's database (nexus.db), beside
 * the sagas' streams. Every write is one autocommitted statement, so it never joins a pipeline
 * batch's transaction on another database.
 *
 * Errors: every SQLite failure is `SAGA_DEADLINE_STORE_UNAVAILABLE`.
 *
 * @example
 * const deadlines = new SqliteSagaDeadlineStore(eventsDb);
 */
export class SqliteSagaDeadlineStore implements SagaDeadlineStore {
  private readonly upsert: Statement<DeadlineRow>;
  private readonly remove: Statement<[string, string]>;
  private readonly selectDue: Statement<[string, number], DeadlineRow>;

  constructor(db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS saga_deadlines (
        saga_id TEXT PRIMARY KEY,
        saga_type TEXT NOT NULL,
        step TEXT NOT NULL,
        due_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS saga_deadlines_due ON saga_deadlines (due_at)`);
    this.upsert = db.prepare(`
      INSERT INTO saga_deadlines (saga_id, saga_type, step, due_at) VALUES (@saga_id, @saga_type, @step, @due_at)
      ON CONFLICT (saga_id) DO UPDATE SET saga_type = excluded.saga_type, step = excluded.step, due_at = excluded.due_at`);
    this.remove = db.prepare('DELETE FROM saga_deadlines WHERE saga_id = ? AND step = ?');
    this.selectDue = db.prepare('SELECT saga_type, saga_id, step, due_at FROM saga_deadlines WHERE due_at <= ? ORDER BY due_at LIMIT ?');
  }

  async schedule(deadline: SagaDeadline): Promise<void> {
    const row = { saga_id: deadline.sagaId, saga_type: deadline.sagaType, step: deadline.step, due_at: deadline.dueAt };
    sqliteFailureAs(SAGA_DEADLINE_ERRORS.STORE_UNAVAILABLE, 'saga deadline schedule', () => this.upsert.run(row));
  }

  async clear(sagaId: string, step: string): Promise<void> {
    sqliteFailureAs(SAGA_DEADLINE_ERRORS.STORE_UNAVAILABLE, 'saga deadline clear', () => this.remove.run(sagaId, step));
  }

  async due(now: string, limit: number): Promise<SagaDeadline[]> {
    const rows = sqliteFailureAs(SAGA_DEADLINE_ERRORS.STORE_UNAVAILABLE, 'saga deadline sweep', () => this.selectDue.all(now, limit));
    return rows.map((row) => ({ sagaType: row.saga_type, sagaId: row.saga_id, step: row.step, dueAt: row.due_at }));
  }
}
