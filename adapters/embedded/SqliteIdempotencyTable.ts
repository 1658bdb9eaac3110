import type { Database, Statement } from 'better-sqlite3';
import type { IdempotencyClaim, StoredResponse } from '../../core/idempotency/IdempotencyStore';

/** One row of `idempotency_keys`; the response columns are NULL while the key is in progress. */
export interface IdempotencyRow {
  client_id: string;
  idempotency_key: string;
  fingerprint: string;
  claim_token: string;
  /** End of an in-progress claim's lease, ms since the epoch. */
  locked_until: number;
  /** When the key is forgotten, ms since the epoch (TTL counted from the claim). */
  expires_at: number;
  response_status: number | null;
  response_type: string | null;
  response_body: string | null;
}

/** Parameters of the completing UPDATE. */
export interface CompletionRow {
  client_id: string;
  idempotency_key: string;
  claim_token: string;
  response_status: number;
  response_type: string;
  response_body: string;
}

/** The completing UPDATE's parameters for a claim and the response to keep. */
export function completionRowOf(claim: IdempotencyClaim, response: StoredResponse): CompletionRow {
  return {
    client_id: claim.clientId,
    idempotency_key: claim.key,
    claim_token: claim.token,
    response_status: response.status,
    response_type: response.contentType,
    response_body: response.body,
  };
}

const perConnection = new WeakMap<Database, SqliteIdempotencyTable>();

/**
 * The `idempotency_keys` table and its statements, shared by the idempotency store (claims,
 * releases, purges) and the event store (completions inside the append's transaction), which
 * must therefore run on the same connection. WITHOUT ROWID: the primary key is the only b-tree
 * besides the expiry index, which only claims and purges touch.
 */
export class SqliteIdempotencyTable {
  /** Inserts a claim, or takes over an expired key or an in-progress one whose lease ran out (same fingerprint). 0 changes = not claimed. */
  readonly claim: Statement<{ client_id: string; idempotency_key: string; fingerprint: string; claim_token: string; locked_until: number; expires_at: number; now: number }>;
  readonly select: Statement<[string, string], IdempotencyRow>;
  /** Completes an in-progress key held by this token. 0 changes = the claim was lost. */
  readonly complete: Statement<CompletionRow>;
  readonly release: Statement<[string, string, string]>;
  readonly purge: Statement<[number, number]>;

  /** The table's statements on `db`, prepared once per connection and shared by its adapters. */
  static of(db: Database): SqliteIdempotencyTable {
    let table = perConnection.get(db);
    if (!table) {
      table = new SqliteIdempotencyTable(db);
      perConnection.set(db, table);
    }
    return table;
  }

  private constructor(db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        client_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        claim_token TEXT NOT NULL,
        locked_until INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        response_status INTEGER,
        response_type TEXT,
        response_body TEXT,
        PRIMARY KEY (client_id, idempotency_key)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS idempotency_keys_by_expiry ON idempotency_keys (expires_at);`);
    this.claim = db.prepare(`
      INSERT INTO idempotency_keys (client_id, idempotency_key, fingerprint, claim_token, locked_until, expires_at)
      VALUES (@client_id, @idempotency_key, @fingerprint, @claim_token, @locked_until, @expires_at)
      ON CONFLICT (client_id, idempotency_key) DO UPDATE SET
        fingerprint = excluded.fingerprint, claim_token = excluded.claim_token, locked_until = excluded.locked_until,
        expires_at = excluded.expires_at, response_status = NULL, response_type = NULL, response_body = NULL
      WHERE idempotency_keys.expires_at <= @now
        OR (idempotency_keys.response_status IS NULL AND idempotency_keys.locked_until <= @now
            AND idempotency_keys.fingerprint = excluded.fingerprint)`);
    this.select = db.prepare('SELECT * FROM idempotency_keys WHERE client_id = ? AND idempotency_key = ?');
    this.complete = db.prepare(`
      UPDATE idempotency_keys SET response_status = @response_status, response_type = @response_type, response_body = @response_body
      WHERE client_id = @client_id AND idempotency_key = @idempotency_key AND claim_token = @claim_token AND response_status IS NULL`);
    this.release = db.prepare(
      'DELETE FROM idempotency_keys WHERE client_id = ? AND idempotency_key = ? AND claim_token = ? AND response_status IS NULL',
    );
    this.purge = db.prepare(`
      DELETE FROM idempotency_keys WHERE (client_id, idempotency_key) IN (
        SELECT client_id, idempotency_key FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)`);
  }
}
