import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Statement } from 'better-sqlite3';
import { NexusError } from '../../core/errors/NexusError';

/** The shared transaction of a connection could not commit; everything written in it is undone. */
export const UNIT_OF_WORK_FAILED = 'SQLITE_UNIT_OF_WORK_FAILED';

interface Outcome {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

const perConnection = new WeakMap<Database, SqliteUnitOfWork>();
/** The unit of work the current async call chain runs in, if any. */
const current = new AsyncLocalStorage<SqliteUnitOfWork>();

/**
 * One write transaction per connection shared by asynchronous units of work: the first `run`
 * opens BEGIN IMMEDIATE, later ones join it, the last one to finish commits, and every
 * participant resolves only once that commit is durable (or rejects when it fails, after a
 * rollback). Writes by anything else on the connection meanwhile join the same transaction, so
 * nothing a participant wrote can commit without what was written before it.
 *
 * Why: a pipeline batch otherwise commits each read-model upsert, stream publish and checkpoint
 * on its own; in WAL mode a commit costs far more than the write.
 *
 * A failing unit of work does not roll back what it wrote (as with one commit per statement):
 * its writes commit with the others, and its error is rethrown after the commit.
 *
 * @example
 * await SqliteUnitOfWork.of(db).run(async () => { await readModel.upsertIfNewer(...); await checkpoints.set(...); });
 */
export class SqliteUnitOfWork {
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private participants = 0;
  private outcome: Outcome | undefined;

  private constructor(private readonly db: Database) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /** The unit of work of `db`, shared by every adapter on that connection. */
  static of(db: Database): SqliteUnitOfWork {
    let unit = perConnection.get(db);
    if (!unit) {
      unit = new SqliteUnitOfWork(db);
      perConnection.set(db, unit);
    }
    return unit;
  }

  /** Is a shared transaction open? */
  get active(): boolean {
    return this.outcome !== undefined;
  }

  /**
   * Resolves once a write just made on the connection is durable: at once when no shared
   * transaction is open or when the caller runs inside it (its own commit covers the write),
   * else when the open transaction commits. Rejects when that commit fails. Undefined when there
   * is nothing to wait for, so the common case costs no promise.
   */
  durable(): Promise<void> | undefined {
    if (!this.outcome || current.getStore() === this) return undefined;
    return this.outcome.promise;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A synchronous transaction of someone else is open: it cannot span our awaits, so just run.
    if (!this.outcome && this.db.inTransaction) return work();
    if (!this.outcome) {
      this.begin.run();
      this.outcome = deferred();
    }
    const outcome = this.outcome;
    this.participants += 1;
    let result: { value: T } | { error: unknown };
    try {
      result = { value: await current.run(this, work) };
    } catch (error) {
      result = { error };
    }
    this.participants -= 1;
    if (this.participants === 0) this.finish(outcome);
    await outcome.promise;
    if ('error' in result) throw result.error;
    return result.value;
  }

  private finish(outcome: Outcome): void {
    this.outcome = undefined;
    try {
      this.commit.run();
      outcome.resolve();
    } catch (cause) {
      try {
        if (this.db.inTransaction) this.rollback.run();
      } catch {
        // The connection rolled back on its own; nothing is left to undo.
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      outcome.reject(new NexusError(UNIT_OF_WORK_FAILED, `shared SQLite transaction did not commit: ${message}`, { cause }));
    }
  }
}

function deferred(): Outcome {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Participants await it; this keeps an unobserved rejection from crashing the process.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
