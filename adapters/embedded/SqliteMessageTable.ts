import type { Database } from 'better-sqlite3';
import { silentLogger } from '../../core/logging/Logger';
import { AppendListeners } from './AppendListeners';
import { SqliteDatabaseError } from './SqliteDatabaseError';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';

/** Clock of the embedded messaging adapters, in ms since the epoch; tests inject one. */
export type MessageClock = () => number;

const perConnection = new WeakMap<Database, SqliteMessageTable>();

/**
 * The `queue_messages` table every subscriber queue of a connection shares (one row per message
 * per queue; a dead-lettered message stays in its queue's rows with `dead_lettered_at` set), and
 * the in-process wake-up listeners of each queue. The partial indexes keep every statement of a
 * receive proportional to what it touches, not to the backlog: live messages in publish order,
 * those at their receive limit, a key's in-flight ones, and dead letters. `seq` is AUTOINCREMENT: a deleted message's
 * number is never given to a new one, so a stale receipt handle (`seq.receiveCount`) can never
 * name another message.
 */
export class SqliteMessageTable {
  readonly unitOfWork: SqliteUnitOfWork;
  private readonly listeners = new Map<string, AppendListeners>();

  private constructor(readonly db: Database) {
    this.unitOfWork = SqliteUnitOfWork.of(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS queue_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        queue TEXT NOT NULL,
        group_key TEXT NOT NULL,
        dedup_id TEXT NOT NULL,
        body BLOB NOT NULL,
        attributes TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        visible_at INTEGER NOT NULL,
        receive_count INTEGER NOT NULL DEFAULT 0,
        dead_lettered_at INTEGER,
        UNIQUE (queue, dedup_id)
      );
      CREATE INDEX IF NOT EXISTS queue_messages_live ON queue_messages (queue, seq) WHERE dead_lettered_at IS NULL;
      CREATE INDEX IF NOT EXISTS queue_messages_exhausted ON queue_messages (queue, receive_count) WHERE dead_lettered_at IS NULL;
      CREATE INDEX IF NOT EXISTS queue_messages_by_group ON queue_messages (queue, group_key, visible_at) WHERE dead_lettered_at IS NULL;
      CREATE INDEX IF NOT EXISTS queue_messages_dead ON queue_messages (queue, seq) WHERE dead_lettered_at IS NOT NULL`);
  }

  /** The table of `db`, created on first use; shared by the topic publisher and the queues on that connection. */
  static of(db: Database): SqliteMessageTable {
    let table = perConnection.get(db);
    if (!table) {
      table = new SqliteMessageTable(db);
      perConnection.set(db, table);
    }
    return table;
  }

  /** Adds a wake-up listener of `queue`; returns its removal. */
  listen(queue: string, listener: () => void): () => void {
    return this.listenersOf(queue).add(listener);
  }

  /** Wakes the in-process consumers of `queue` (after a commit that made messages receivable). */
  notify(queue: string): void {
    this.listeners.get(queue)?.notify();
  }

  /** Runs a synchronous write, translating engine failures, and resolves once it is durable (see SqliteUnitOfWork.durable). */
  async write<T>(work: () => T): Promise<T> {
    let result: T;
    try {
      result = work();
    } catch (error) {
      throw SqliteDatabaseError.from(this.db.name, error);
    }
    await this.unitOfWork.durable();
    return result;
  }

  private listenersOf(queue: string): AppendListeners {
    let listeners = this.listeners.get(queue);
    if (!listeners) {
      listeners = new AppendListeners(silentLogger, `queue:${queue}`);
      this.listeners.set(queue, listeners);
    }
    return listeners;
  }
}
