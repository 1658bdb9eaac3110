import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openSqliteDatabase } from '../../adapters/embedded/openSqliteDatabase';
import { SqliteEventStore } from '../../adapters/embedded/SqliteEventStore';
import { SqliteIdempotencyStore } from '../../adapters/embedded/SqliteIdempotencyStore';
import type { IdempotencyClaim } from '../../core/idempotency/IdempotencyStore';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import { describeIdempotencyStoreContract } from './idempotencyStoreContract';
import type { IdempotencyStoreContractOptions } from './idempotencyStoreContract';
import { newAggregateId, orderContext, orderPlaced } from './eventFixtures';

describeIdempotencyStoreContract('SqliteIdempotencyStore (in memory)', async (options: IdempotencyStoreContractOptions) => {
  const { db, codec } = await createSchemaEnvironment();
  return { idempotency: new SqliteIdempotencyStore(db, options), eventStore: new SqliteEventStore(db, codec), close: async () => void db.close() };
});

describeIdempotencyStoreContract('SqliteIdempotencyStore (group commit)', async (options: IdempotencyStoreContractOptions) => {
  const { db, codec } = await createSchemaEnvironment();
  return {
    idempotency: new SqliteIdempotencyStore(db, options),
    eventStore: new SqliteEventStore(db, codec, { groupCommit: true }),
    close: async () => void db.close(),
  };
});

describe('SqliteIdempotencyStore on a file', () => {
  let directory: string;
  let nowMs: number;
  const clock = (): Date => new Date(nowMs);

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'nexus-idempotency-'));
    nowMs = Date.parse('2030-01-01T00:00:00.000Z');
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  describeIdempotencyStoreContract('SqliteIdempotencyStore (file)', async (options: IdempotencyStoreContractOptions) => {
    const db = openSqliteDatabase(join(directory, 'contract', 'nexus.db'));
    const { codec } = await createSchemaEnvironment({ db });
    return { idempotency: new SqliteIdempotencyStore(db, options), eventStore: new SqliteEventStore(db, codec), close: async () => void db.close() };
  });

  it('replays a completed key after the database is closed and reopened', async () => {
    // given a key completed with the events of an append, on a file that is then closed
    const file = join(directory, 'nexus.db');
    const first = openSqliteDatabase(file);
    const orderId = newAggregateId();
    const request = { clientId: 'web', key: 'k-1', fingerprint: 'f-1' };
    const claim = claimOf(await new SqliteIdempotencyStore(first, { clock }).claim(request));
    const events = new SqliteEventStore(first, (await createSchemaEnvironment({ db: first })).codec);
    await events.append(orderId, 0, [orderPlaced(orderId)], orderContext(), {
      idempotency: { claim, response: (appended) => ({ status: 202, contentType: 'application/json', body: JSON.stringify(appended) }) },
    });
    first.close();
    // when it is reopened and the same request comes again
    const second = openSqliteDatabase(file);
    const replay = await new SqliteIdempotencyStore(second, { clock }).claim(request);
    second.close();
    // then the response is still there
    expect(replay).toMatchObject({ outcome: 'replay', response: { status: 202 } });
  });

  it('purges expired keys on a claim, at most once per interval', async () => {
    // given a key that expires after 100 s, and purges at most every 120 s (the first claim purged)
    const db = openSqliteDatabase(join(directory, 'purge.db'));
    const store = new SqliteIdempotencyStore(db, { clock, ttlSeconds: 100, purgeIntervalMs: 120_000 });
    await store.claim({ clientId: 'web', key: 'old', fingerprint: 'f' });
    // when a claim comes after the key expired but within the interval
    nowMs += 100_000;
    await store.claim({ clientId: 'web', key: 'young', fingerprint: 'f' });
    const withinInterval = keysIn(db);
    // and another once the interval has passed
    nowMs += 20_000;
    await store.claim({ clientId: 'web', key: 'trigger', fingerprint: 'f' });
    // then only the second purged, and only the expired key
    expect(withinInterval).toEqual(['old', 'young']);
    expect(keysIn(db)).toEqual(['trigger', 'young']);
    db.close();
  });

  it('purges in batches of a bounded size', async () => {
    // given five expired keys and a batch size of two
    const db = openSqliteDatabase(join(directory, 'batch.db'));
    const store = new SqliteIdempotencyStore(db, { clock, ttlSeconds: 1, purgeBatchSize: 2 });
    for (let i = 0; i < 5; i += 1) await store.claim({ clientId: 'web', key: `k-${i}`, fingerprint: 'f' });
    nowMs += 1000;
    // when purging explicitly
    const deleted = [await store.purgeExpired(), await store.purgeExpired(), await store.purgeExpired()];
    // then each call deletes at most a batch
    expect(deleted).toEqual([2, 2, 1]);
    expect(keysIn(db)).toEqual([]);
    db.close();
  });

  it('refuses options that are not positive', () => {
    // given / when / then
    const db = openSqliteDatabase(':memory:');
    expect(() => new SqliteIdempotencyStore(db, { ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => new SqliteIdempotencyStore(db, { leaseMs: -1 })).toThrow(/leaseMs/);
    db.close();
  });
});

function claimOf(outcome: Awaited<ReturnType<SqliteIdempotencyStore['claim']>>): IdempotencyClaim {
  if (outcome.outcome !== 'claimed') throw new Error('expected a claim');
  return outcome.claim;
}

function keysIn(db: Database): string[] {
  return db.prepare<[], { idempotency_key: string }>('SELECT idempotency_key FROM idempotency_keys ORDER BY idempotency_key').all().map((row) => row.idempotency_key);
}
