import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../../adapters/embedded/openSqliteDatabase';
import { SqliteEventStore } from '../../../adapters/embedded/SqliteEventStore';
import { EVENT_STORE_ERRORS } from '../../../core/events/EventStore';
import { createJsonLogger } from '../../../core/logging/Logger';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { newAggregateId, orderContext, orderItemAdded, orderPlaced } from '../../contract/eventFixtures';

describe('SqliteEventStore', () => {
  let env: SchemaEnvironment;
  let store: SqliteEventStore;

  beforeEach(async () => {
    env = await createSchemaEnvironment();
    store = new SqliteEventStore(env.db, env.codec);
  });

  afterEach(() => {
    if (env.db.open) env.db.close();
  });

  it('refuses raw SQL UPDATE and DELETE on the events table', async () => {
    // given a stored event
    const id = newAggregateId();
    await store.append(id, 0, [orderPlaced(id)], orderContext());
    // when updating or deleting it behind the store's back
    const update = (): unknown => env.db.prepare("UPDATE events SET event_type = 'Forged' WHERE aggregate_id = ?").run(id);
    const remove = (): unknown => env.db.prepare('DELETE FROM events WHERE aggregate_id = ?').run(id);
    // then SQLite aborts both and the event is unchanged
    expect(update).toThrow(/append-only: UPDATE refused/);
    expect(remove).toThrow(/append-only: DELETE refused/);
    const [event] = (await store.readStream(id)).items;
    expect(event?.eventType).toBe('OrderPlaced');
  });

  it('returns the exact stored bytes as record, an envelope the codec decodes', async () => {
    // given an appended event
    const id = newAggregateId();
    const { eventIds } = await store.append(id, 0, [orderPlaced(id)], orderContext());
    // when reading it back through the store and through SQL
    const [event] = await store.readAll(0, 10);
    const row = env.db.prepare('SELECT record FROM events WHERE event_id = ?').get(eventIds[0]) as { record: Buffer };
    // then record is the stored blob, and it decodes to the same envelope with the payload inside
    expect(event?.record.equals(row.record)).toBe(true);
    const envelope = await env.codec.decodeEnvelope(row.record);
    expect(envelope).toMatchObject({ eventId: eventIds[0], aggregateId: id, aggregateVersion: 1 });
    const payload = await env.codec.decode(envelope.payload);
    expect(payload).toMatchObject({ eventType: 'OrderPlaced', payload: { orderId: id } });
  });

  it('logs a refused event with its type, version and field', async () => {
    // given a store logging to a list
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const logged = new SqliteEventStore(env.db, env.codec, { logger });
    const id = newAggregateId();
    // when an event with a bad field is appended
    await expect(logged.append(id, 0, [orderItemAdded(id, 'x', { unitPrice: 'free' })], orderContext())).rejects.toBeDefined();
    // then one warning names the event type, the version and the field
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', eventType: 'OrderItemAdded', schemaVersion: 1, field: expect.stringContaining('unitPrice') });
  });

  it('reports a locked database as EVENT_STORE_UNAVAILABLE with the cause', async () => {
    // given a file database whose write lock another connection holds
    const directory = mkdtempSync(join(tmpdir(), 'nexus-busy-'));
    const file = join(directory, 'nexus.db');
    const writer = openSqliteDatabase(file, { busyTimeoutMs: 0 });
    const blocked = new SqliteEventStore(writer, (await createSchemaEnvironment({ db: writer })).codec);
    const other = openSqliteDatabase(file);
    other.exec('BEGIN IMMEDIATE');
    const id = newAggregateId();
    try {
      // when appending
      const append = blocked.append(id, 0, [orderPlaced(id)], orderContext());
      // then the failure is the store's, retryable, with SQLite's error as cause
      await expect(append).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.STORE_UNAVAILABLE, cause: expect.objectContaining({ code: 'SQLITE_BUSY' }) });
    } finally {
      other.exec('ROLLBACK');
      other.close();
      writer.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('detects a conflict with a writer on another connection to the same file', async () => {
    // given two stores on two connections to one file
    const directory = mkdtempSync(join(tmpdir(), 'nexus-two-'));
    const file = join(directory, 'nexus.db');
    const left = openSqliteDatabase(file);
    const right = openSqliteDatabase(file);
    const leftStore = new SqliteEventStore(left, (await createSchemaEnvironment({ db: left })).codec);
    const rightStore = new SqliteEventStore(right, (await createSchemaEnvironment({ db: right })).codec);
    const id = newAggregateId();
    try {
      // when both append version 1 of the same aggregate
      await leftStore.append(id, 0, [orderPlaced(id)], orderContext());
      const late = rightStore.append(id, 0, [orderPlaced(id)], orderContext());
      // then the second conflicts and sees the first's version
      await expect(late).rejects.toMatchObject({ code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT, details: { actualVersion: 1 } });
      await expect(rightStore.headPosition()).resolves.toBe(1);
    } finally {
      left.close();
      right.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('commits a group of appends together, failing only the conflicting one', async () => {
    // given a group-committing store and an aggregate at version 1
    const grouped = new SqliteEventStore(env.db, env.codec, { groupCommit: true });
    const a = newAggregateId();
    const b = newAggregateId();
    await grouped.append(a, 0, [orderPlaced(a)], orderContext());
    let notifications = 0;
    grouped.onAppend(() => {
      notifications += 1;
    });
    // when three appends arrive in the same turn, one of them stale
    const outcomes = await Promise.allSettled([
      grouped.append(a, 1, [orderItemAdded(a)], orderContext()),
      grouped.append(a, 0, [orderPlaced(a)], orderContext()),
      grouped.append(b, 0, [orderPlaced(b), orderItemAdded(b)], orderContext()),
    ]);
    // then the stale one fails alone, the others are stored gap-free, and listeners hear one commit
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { code: EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT } });
    const events = await grouped.readAll(0, 10);
    expect(events.map((event) => event.position)).toEqual([1, 2, 3, 4]);
    expect(notifications).toBe(1);
  });

  it('exposes the change feed as a record source keyed by aggregate id', async () => {
    // given the feed and a listener on it
    const feed = store.asRecordSource();
    let wakeUps = 0;
    feed.onAppend(() => {
      wakeUps += 1;
    });
    const id = newAggregateId();
    // when an append commits
    await store.append(id, 0, [orderPlaced(id), orderItemAdded(id)], orderContext());
    const records = await feed.read(0, 10);
    const [stored] = await store.readAll(0, 1);
    // then the feed yields the stored records, keyed by aggregate, and woke its listener
    expect(feed.name).toBe('events');
    expect(records.map((record) => [record.position, record.key])).toEqual([[1, id], [2, id]]);
    expect(records[0]?.record.equals(stored?.record ?? Buffer.alloc(0))).toBe(true);
    expect(await feed.read(1, 10)).toHaveLength(1);
    expect(wakeUps).toBe(1);
  });
});
