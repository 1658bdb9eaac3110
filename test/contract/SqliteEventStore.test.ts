import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../adapters/embedded/openSqliteDatabase';
import { SqliteEventStore } from '../../adapters/embedded/SqliteEventStore';
import { createSchemaEnvironment } from '../support/schemaEnvironment';
import { describeEventLogContract } from './eventLogContract';
import { describeEventStoreContract } from './eventStoreContract';
import type { EventStoreContractOptions } from './eventStoreContract';
import { EVENT_STORE_ERRORS } from '../../core/events/EventStore';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from './eventFixtures';

describeEventStoreContract('SqliteEventStore (in memory)', async (options: EventStoreContractOptions = {}) => {
  const { db, codec } = await createSchemaEnvironment();
  return { store: new SqliteEventStore(db, codec, options), close: async () => void db.close() };
});

describeEventStoreContract('SqliteEventStore (group commit)', async (options: EventStoreContractOptions = {}) => {
  const { db, codec } = await createSchemaEnvironment();
  return { store: new SqliteEventStore(db, codec, { ...options, groupCommit: true }), close: async () => void db.close() };
});

describeEventLogContract('SqliteEventStore (in memory)', async () => {
  const { db, codec } = await createSchemaEnvironment();
  return { store: new SqliteEventStore(db, codec), close: async () => void db.close() };
});

describeEventLogContract('SqliteEventStore (group commit)', async () => {
  const { db, codec } = await createSchemaEnvironment();
  return { store: new SqliteEventStore(db, codec, { groupCommit: true }), close: async () => void db.close() };
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

  describeEventLogContract('SqliteEventStore (file)', async () => {
    const db = openSqliteDatabase(join(directory, 'data', 'nexus.db'));
    const { codec } = await createSchemaEnvironment({ db });
    return { store: new SqliteEventStore(db, codec), close: async () => void db.close() };
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

  it('refuses a single-event append at a version another connection already took, writing nothing', async () => {
    // given two connections (as two processes would have) to one file, and an order at version 1
    const file = join(directory, 'shared.db');
    const left = openSqliteDatabase(file);
    const right = openSqliteDatabase(file);
    const leftStore = new SqliteEventStore(left, (await createSchemaEnvironment({ db: left })).codec);
    const rightStore = new SqliteEventStore(right, (await createSchemaEnvironment({ db: right })).codec);
    const id = newAggregateId();
    await leftStore.append(id, 0, [orderPlaced(id)], orderContext());
    // when both append one event at version 1, and one appends as if the order were at version 5
    await leftStore.append(id, 1, [orderItemAdded(id, 'left')], orderContext());
    const late = rightStore.append(id, 1, [orderItemAdded(id, 'right')], orderContext());
    const ahead = rightStore.append(id, 5, [orderItemAdded(id, 'ahead')], orderContext());
    // then the late and the ahead appends conflict with the real version, and no gap or duplicate is written
    await expect(late).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT, details: { expectedVersion: 1, actualVersion: 2 } });
    await expect(ahead).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT, details: { expectedVersion: 5, actualVersion: 2 } });
    const stream = await rightStore.readStream(id);
    expect(stream.items.map((event) => event.aggregateVersion)).toEqual([1, 2]);
    left.close();
    right.close();
  });
});

