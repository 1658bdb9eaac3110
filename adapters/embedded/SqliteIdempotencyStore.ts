import type { Database } from 'better-sqlite3';
import { IdempotencyClaimLostError, IdempotencyKeyInUseError, IdempotencyKeyReusedError, IdempotencyStoreUnavailableError } from '../../core/idempotency/IdempotencyErrors';
import type { ClaimOutcome, IdempotencyClaim, IdempotencyStore, IdempotentRequest, StoredResponse } from '../../core/idempotency/IdempotencyStore';
import { SqliteIdempotencyTable, completionRowOf } from './SqliteIdempotencyTable';
import type { IdempotencyRow } from './SqliteIdempotencyTable';
import { SqliteUnitOfWork } from './SqliteUnitOfWork';

/** Options of {@link SqliteIdempotencyStore}. */
export interface SqliteIdempotencyStoreOptions {
  /** How long a key is remembered, counted from its claim. @defaultValue 86400 (24 hours) */
  ttlSeconds?: number;
  /**
   * How long an in-progress claim holds its key: a retry meanwhile gets `IDEMPOTENCY_KEY_IN_USE`;
   * after it, a retry takes the key over (the owner crashed). Correctness does not depend on it:
   * an owner that outlives its lease fails with `IDEMPOTENCY_CLAIM_LOST` and writes nothing.
   * @defaultValue 10000
   */
  leaseMs?: number;
  /** At most one purge of expired keys per period, run by a claim. @defaultValue 60000 */
  purgeIntervalMs?: number;
  /** Keys deleted per purge; a full batch purges again at the next claim. @defaultValue 1000 */
  purgeBatchSize?: number;
  /** @defaultValue () => new Date() */
  clock?: () => Date;
  /** Source of claim tokens. @defaultValue crypto.randomUUID */
  newToken?: () => string;
}

const DEFAULTS: Required<SqliteIdempotencyStoreOptions> = {
  ttlSeconds: 86_400,
  leaseMs: 10_000,
  purgeIntervalMs: 60_000,
  purgeBatchSize: 1000,
  clock: () => new Date(),
  newToken: () => crypto.randomUUID(),
};

/** Claims whose row changed between the failed upsert and the read are tried again this often. */
const CLAIM_ROUNDS = 3;

/**
 * Idempotency keys in the `idempotency_keys` table of the event store's database. Open it on the
 * same connection as the {@link SqliteEventStore}: the event store completes a claim in the
 * transaction of its append (see `AppendOptions.idempotency`), so a crash between the append and
 * the response leaves either both the events and the stored response, or neither.
 *
 * A claim is one upsert (a new key, an expired one, or a lapsed lease with the same fingerprint);
 * only when it changes nothing is the row read to say why. Expired keys count as absent at once
 * and are deleted in bounded batches by claims, at most once per `purgeIntervalMs`.
 *
 * Errors: see the port; every SQLite failure is `IDEMPOTENCY_STORE_UNAVAILABLE`.
 *
 * @example
 * const idempotency = new SqliteIdempotencyStore(eventsDb, { ttlSeconds: 3600 });
 * const events = new SqliteEventStore(eventsDb, codec);
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly settings: Required<SqliteIdempotencyStoreOptions>;
  private readonly table: SqliteIdempotencyTable;
  private readonly unitOfWork: SqliteUnitOfWork;
  private nextPurgeAt = 0;

  constructor(db: Database, options: SqliteIdempotencyStoreOptions = {}) {
    this.settings = { ...DEFAULTS, ...options };
    for (const name of ['ttlSeconds', 'leaseMs', 'purgeIntervalMs', 'purgeBatchSize'] as const) {
      const value = this.settings[name];
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number; got ${value}`);
    }
    this.table = SqliteIdempotencyTable.of(db);
    this.unitOfWork = SqliteUnitOfWork.of(db);
  }

  async claim(request: IdempotentRequest): Promise<ClaimOutcome> {
    const now = this.settings.clock().getTime();
    this.sql('purge', () => this.purgeIfDue(now));
    for (let round = 1; ; round += 1) {
      const token = this.settings.newToken();
      const changes = this.sql('claim', () =>
        this.table.claim.run({
          client_id: request.clientId,
          idempotency_key: request.key,
          fingerprint: request.fingerprint,
          claim_token: token,
          locked_until: now + this.settings.leaseMs,
          expires_at: now + this.settings.ttlSeconds * 1000,
          now,
        }).changes,
      );
      if (changes === 1) return { outcome: 'claimed', claim: { ...request, token } };
      const row = this.sql('claim', () => this.table.select.get(request.clientId, request.key));
      const verdict = row === undefined ? undefined : verdictOn(row, request, now);
      // The row went away (purged) or lapsed between the two statements: claim again.
      if (verdict !== undefined) return verdict;
      if (round >= CLAIM_ROUNDS) throw new IdempotencyStoreUnavailableError('claim', new Error(`key ${request.key} kept changing under the claim`));
    }
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    const changes = this.sql('complete', () =>
      this.table.complete.run(completionRowOf(claim, response)).changes,
    );
    if (changes !== 1) throw new IdempotencyClaimLostError(claim);
    // Inside a pipeline's shared transaction the write is durable only once that commits.
    await this.unitOfWork.durable();
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    this.sql('release', () => this.table.release.run(claim.clientId, claim.key, claim.token));
  }

  /** Deletes up to `purgeBatchSize` expired keys now; returns how many. */
  async purgeExpired(): Promise<number> {
    return this.sql('purge', () => this.table.purge.run(this.settings.clock().getTime(), this.settings.purgeBatchSize).changes);
  }

  private purgeIfDue(now: number): void {
    if (now < this.nextPurgeAt) return;
    const deleted = this.table.purge.run(now, this.settings.purgeBatchSize).changes;
    this.nextPurgeAt = deleted >= this.settings.purgeBatchSize ? now : now + this.settings.purgeIntervalMs;
  }

  private sql<T>(operation: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw new IdempotencyStoreUnavailableError(operation, error);
    }
  }
}

/** Why a claim on an existing row changed nothing; undefined when the row is claimable after all. */
function verdictOn(row: IdempotencyRow, request: IdempotentRequest, now: number): ClaimOutcome | undefined {
  if (row.expires_at <= now) return undefined;
  if (row.fingerprint !== request.fingerprint) throw new IdempotencyKeyReusedError(request);
  if (row.response_status !== null) {
    return { outcome: 'replay', response: { status: row.response_status, contentType: row.response_type ?? 'application/json', body: row.response_body ?? '' } };
  }
  if (row.locked_until <= now) return undefined;
  throw new IdempotencyKeyInUseError(request, row.locked_until - now);
}
