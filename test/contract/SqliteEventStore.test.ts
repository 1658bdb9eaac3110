import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../adapters/embedded/openSqliteDatabase';
import { SqliteEventStore } from '../../adapters/embedded/SqliteEventStore';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import { describeEventStoreContract } from './eventStoreContract';
import type { EventStoreContractOptions } from './eventStoreContract';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from './eventFixtures';

describeEventStoreContract('SqliteEventStore (in memory)', async (options: EventStoreContractOptions = {}) => {
  const { db, codec } = await createSchemaEnvironment();
  return { store: new SqliteEventStore(db, codec, options), close: async () => void db.close() };
});

describeEventStoreContract('SqliteEventStore (group commit)', async (options: EventStoreContractOptions = {}) => {
  const { db, codec } = await createSchemaEnvironment();
  return { store: new SqliteEventStore(db, codec, { ...options, groupCommit: true }), close: async () => void db.close() };
});

describe('SqliteEventStore on a file', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'nexus-events-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  describeEventStoreContract('SqliteEventStore (file)', async (options: EventStoreContractOptions = {}) => {
    const db = openSqliteDatabase(join(directory, 'data', 'nexus.db'));
    const { codec } = await createSchemaEnvironment({ db });
    return { store: new SqliteEventStore(db, codec, options), close: async () => void db.close() };
  });

  it('keeps events after the database is closed and reopened', async () => {
    // given events appended to a file database that is then closed
    const file = join(directory, 'nexus.db');
    const id = newAggregateId();
    const first = openSqliteDatabase(file);
    const before = new SqliteEventStore(first, (await createSchemaEnvironment({ db: first })).codec);
    const appended = await before.append(id, 0, [orderPlaced(id), orderItemAdded(id)], orderContext());
    const written = await before.readStream(id);
    first.close();
    // when reopening it
    const second = openSqliteDatabase(file);
    const after = new SqliteEventStore(second, (await createSchemaEnvironment({ db: second })).codec);
    const read = await after.readStream(id);
    const next = await after.append(id, 2, [orderItemAdded(id, 'more')], orderContext());
    second.close();
    // then the same events are there, byte for byte, and the log carries on
    expect(read.items.map((event) => event.eventId)).toEqual(appended.eventIds);
    expect(read.items.map((event) => event.record.toString('hex'))).toEqual(written.items.map((event) => event.record.toString('hex')));
    expect(next.positions).toEqual([(appended.positions[1] ?? 0) + 1]);
  });
});
