import type { Database, Statement } from 'better-sqlite3';
import { NexusError } from '../../core/errors/NexusError';
import { DeadLetterNotFoundError, DeadLetterNotParkedError } from '../../core/deadletter/DeadLetterErrors';
import type {
  DeadLetter,
  DeadLetterStore,
  ListDeadLettersOptions,
  NewDeadLetter,
} from '../../core/deadletter/DeadLetterStore';

/** Options of {@link SqliteDeadLetterStore}. */
export interface SqliteDeadLetterStoreOptions {
  /** @defaultValue () => new Date() */
  clock?: () => Date;
}

// The port's errors, exported from here as before they moved to core.
export { DeadLetterNotFoundError, DeadLetterNotParkedError };

const DEFAULTS: Required<SqliteDeadLetterStoreOptions> = {
  clock: () => new Date(),
};

/** Upper bound of `list` when no limit is given. */
const DEFAULT_LIST_LIMIT = 100;

interface DeadLetterRow {
  id: number;
  pipeline_name: string;
  key: string;
  source_position: number;
  record: Buffer;
  error_code: string;
  error_message: string;
  attempts: number;
  parked_behind_id: number | null;
  parked_at: string;
  status: DeadLetter['status'];
  resolved_at: string | null;
}

/**
 * Parked records in the `dead_letters` table. Ids come from an AUTOINCREMENT key, so they
 * increase in parked order and are never reused; `(pipeline_name, key, status, id)` is indexed
 * so the per-record "is this key parked?" check stays a single index probe.
 *
 * Errors: `DEAD_LETTER_NOT_FOUND` for an unknown id, `DEAD_LETTER_NOT_PARKED` when resolving or
 * recording a failure on an entry that is no longer parked.
 *
 * @example
 * const parked = await deadLetters.park({ pipelineName: 'order-list', key, sourcePosition, record,
 *   errorCode: 'X', errorMessage: 'boom', attempts: 5, parkedBehindId: null });
 */
export class SqliteDeadLetterStore implements DeadLetterStore {
  private readonly clock: () => Date;
  private readonly insert: Statement<unknown[], DeadLetterRow>;
  private readonly selectById: Statement<[number], DeadLetterRow>;
  private readonly selectOldestParked: Statement<[string, string], DeadLetterRow>;
  private readonly updateStatus: Statement<[string, string, number]>;
  private readonly updateFailure: Statement<[string, string, number, number]>;
  private readonly db: Database;
  private readonly listStatements = new Map<string, Statement<unknown[], DeadLetterRow>>();

  constructor(db: Database, options: SqliteDeadLetterStoreOptions = {}) {
    this.db = db;
    this.clock = options.clock ?? DEFAULTS.clock;
    db.exec(`
      CREATE TABLE IF NOT EXISTS dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pipeline_name TEXT NOT NULL,
        key TEXT NOT NULL,
        source_position INTEGER NOT NULL,
        record BLOB NOT NULL,
        error_code TEXT NOT NULL,
        error_message TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        parked_behind_id INTEGER,
        parked_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('parked', 'redriven', 'skipped')),
        resolved_at TEXT
      );
      CREATE INDEX IF NOT EXISTS dead_letters_by_key ON dead_letters (pipeline_name, key, status, id);
      CREATE INDEX IF NOT EXISTS dead_letters_by_status ON dead_letters (status, id)`);
    this.insert = db.prepare(`
      INSERT INTO dead_letters (pipeline_name, key, source_position, record, error_code, error_message,
        attempts, parked_behind_id, parked_at, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'parked')
      RETURNING *`);
    this.selectById = db.prepare('SELECT * FROM dead_letters WHERE id = ?');
    this.selectOldestParked = db.prepare(`
      SELECT * FROM dead_letters WHERE pipeline_name = ? AND key = ? AND status = 'parked' ORDER BY id LIMIT 1`);
    this.updateStatus = db.prepare(`UPDATE dead_letters SET status = ?, resolved_at = ? WHERE id = ? AND status = 'parked'`);
    this.updateFailure = db.prepare(`
      UPDATE dead_letters SET error_code = ?, error_message = ?, attempts = ? WHERE id = ? AND status = 'parked'`);
  }

  async park(entry: NewDeadLetter): Promise<DeadLetter> {
    const row = this.insert.get(
      entry.pipelineName,
      entry.key,
      entry.sourcePosition,
      entry.record,
      entry.errorCode,
      entry.errorMessage,
      entry.attempts,
      entry.parkedBehindId,
      this.clock().toISOString(),
    );
    if (!row) throw new NexusError('DEAD_LETTER_UNAVAILABLE', 'parking a record returned no row');
    return toDeadLetter(row);
  }

  async oldestParked(pipelineName: string, key: string): Promise<DeadLetter | undefined> {
    const row = this.selectOldestParked.get(pipelineName, key);
    return row ? toDeadLetter(row) : undefined;
  }

  async isKeyParked(pipelineName: string, key: string): Promise<boolean> {
    return this.selectOldestParked.get(pipelineName, key) !== undefined;
  }

  async list(options: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
    const conditions: string[] = [];
    const parameters: (string | number)[] = [];
    if (options.pipelineName !== undefined) {
      conditions.push('pipeline_name = ?');
      parameters.push(options.pipelineName);
    }
    if (options.key !== undefined) {
      conditions.push('key = ?');
      parameters.push(options.key);
    }
    const status = options.status ?? 'parked';
    if (status !== 'all') {
      conditions.push('status = ?');
      parameters.push(status);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    parameters.push(Math.max(1, Math.floor(options.limit ?? DEFAULT_LIST_LIMIT)));
    return this.listStatement(where).all(...parameters).map(toDeadLetter);
  }

  async get(id: number): Promise<DeadLetter> {
    const row = this.selectById.get(id);
    if (!row) throw new DeadLetterNotFoundError(id);
    return toDeadLetter(row);
  }

  async resolve(id: number, status: 'redriven' | 'skipped'): Promise<void> {
    const changed = this.updateStatus.run(status, this.clock().toISOString(), id).changes;
    if (changed === 0) this.explainUnchanged(id);
  }

  async recordFailure(id: number, errorCode: string, errorMessage: string, attempts: number): Promise<void> {
    const changed = this.updateFailure.run(errorCode, errorMessage, attempts, id).changes;
    if (changed === 0) this.explainUnchanged(id);
  }

  // Only the shape of the WHERE clause varies (at most 8 variants): each is prepared once.
  private listStatement(where: string): Statement<unknown[], DeadLetterRow> {
    let statement = this.listStatements.get(where);
    if (!statement) {
      statement = this.db.prepare<unknown[], DeadLetterRow>(`SELECT * FROM dead_letters ${where} ORDER BY id LIMIT ?`);
      this.listStatements.set(where, statement);
    }
    return statement;
  }

  private explainUnchanged(id: number): never {
    const row = this.selectById.get(id);
    if (!row) throw new DeadLetterNotFoundError(id);
    throw new DeadLetterNotParkedError(id, row.status);
  }
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    pipelineName: row.pipeline_name,
    key: row.key,
    sourcePosition: row.source_position,
    record: row.record,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    attempts: row.attempts,
    parkedBehindId: row.parked_behind_id,
    parkedAt: row.parked_at,
    status: row.status,
    resolvedAt: row.resolved_at,
  };
}
