import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SqliteEventStore } from '../../../adapters/embedded/SqliteEventStore';
import { SqliteSnapshotStore } from '../../../adapters/embedded/SqliteSnapshotStore';
import { replayAsOf } from '../../../core/http/temporalReplay';
import { SnapshotWriter } from '../../../core/snapshot/SnapshotWriter';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../../domain';
import { orderContext, orderItemAdded, orderPlaced } from '../../contract/eventFixtures';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { orderWith } from './snapshotSystem';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const ORDER = orderWith({ foldVersion: 1, everyEvents: 1 });
let env: SchemaEnvironment;
let store: SqliteEventStore;
let snapshotsDb: Database.Database;
let snapshots: SqliteSnapshotStore;
let occurredAt: number;

beforeAll(async () => {
  env = await createSchemaEnvironment();
  store = new SqliteEventStore(env.db, env.codec, { clock: () => new Date(occurredAt) });
  snapshotsDb = new Database(':memory:');
  snapshots = new SqliteSnapshotStore(snapshotsDb);
});

afterAll(() => {
  env.db.close();
  snapshotsDb.close();
});

/** A history of items with gaps (a negative one: a writer whose clock stepped back), a snapshot after `snapshotAfter` events, and a query. */
const history = fc.record({
  items: fc.array(fc.record({ sku: fc.stringMatching(/^[A-Z]{1,3}$/), quantity: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 8 }),
  gapsMs: fc.array(fc.constantFrom(0, 1, 60_000, -60_000), { minLength: 9, maxLength: 9 }),
  snapshotAfter: fc.integer({ min: 1, max: 9 }),
  asOfMs: fc.integer({ min: -120_001, max: 9 * 60_000 + 1 }),
  sinceBackMs: fc.option(fc.integer({ min: 0, max: 9 * 60_000 }), { nil: undefined }),
});

describe('temporal replay with snapshots', () => {
  it('answers what the replay from the first event answers, for any history, snapshot, asOf and since', async () => {
    await fc.assert(
      fc.asyncProperty(history, async ({ items, gapsMs, snapshotAfter, asOfMs, sinceBackMs }) => {
        // given a history appended one event at a time, snapshotted (by the real writer) after some of it
        const id = `order-${randomUUID()}`;
        const events = [orderPlaced(id), ...items.map((item) => orderItemAdded(id, item.sku, { quantity: item.quantity }))];
        const upcasters = new UpcasterRegistry(orderUpcasters);
        const writer = new SnapshotWriter({ eventStore: store, codec: env.codec, upcasters, snapshots, aggregates: [ORDER], clock: () => new Date(T0) });
        occurredAt = T0;
        for (const [index, event] of events.entries()) {
          await store.append(id, index, [event], orderContext());
          occurredAt += gapsMs[index] ?? 0;
          if (index + 1 === snapshotAfter) await writer.snapshot('Order', id);
        }
        const query = { asOf: new Date(T0 + asOfMs), ...(sinceBackMs === undefined ? {} : { since: new Date(T0 + asOfMs - sinceBackMs) }) };
        const limits = { maxEvents: 10_000, timeoutMs: 30_000, clock: () => T0 };
        // when replaying with and without the snapshot store
        const withSnapshots = await replayAsOf({ eventStore: store, codec: env.codec, upcasters, snapshots }, ORDER, id, query, limits);
        const fromZero = await replayAsOf({ eventStore: store, codec: env.codec, upcasters }, ORDER, id, query, limits);
        // then state, version, completeness and changes are the same
        const answer = ({ state, version, complete, changes }: typeof fromZero): unknown => ({ state, version, complete, changes });
        expect(answer(withSnapshots)).toEqual(answer(fromZero));
      }),
      { numRuns: 80 },
    );
  });

  it('starts from the snapshot when every event it holds is before asOf and since', async () => {
    // given an order of 4 events one minute apart, snapshotted after all of them
    const id = `order-${randomUUID()}`;
    const upcasters = new UpcasterRegistry(orderUpcasters);
    occurredAt = T0;
    const events = [orderPlaced(id), orderItemAdded(id, 'A'), orderItemAdded(id, 'B'), orderItemAdded(id, 'C')];
    for (const [index, event] of events.entries()) {
      await store.append(id, index, [event], orderContext());
      occurredAt += 60_000;
    }
    await new SnapshotWriter({ eventStore: store, codec: env.codec, upcasters, snapshots, aggregates: [ORDER], clock: () => new Date(T0) }).snapshot('Order', id);
    // when replaying as of an hour later
    const replay = await replayAsOf({ eventStore: store, codec: env.codec, upcasters, snapshots }, ORDER, id, { asOf: new Date(T0 + 3_600_000) }, { maxEvents: 10_000, timeoutMs: 30_000, clock: () => T0 });
    // then it read no event (it checked there is none after the snapshot) and answered version 4
    expect(replay).toMatchObject({ version: 4, complete: true, eventsScanned: 0 });
  });

  it('does not start from a snapshot holding an event after asOf, though a later event was stamped earlier (a clock stepped back)', async () => {
    // given an order placed at T0 and an item stamped a minute earlier by a writer whose clock was behind, snapshotted at version 2
    const id = `order-${randomUUID()}`;
    const upcasters = new UpcasterRegistry(orderUpcasters);
    occurredAt = T0;
    await store.append(id, 0, [orderPlaced(id)], orderContext());
    occurredAt = T0 - 60_000;
    await store.append(id, 1, [orderItemAdded(id, 'A')], orderContext());
    await new SnapshotWriter({ eventStore: store, codec: env.codec, upcasters, snapshots, aggregates: [ORDER], clock: () => new Date(T0) }).snapshot('Order', id);
    // when replaying as of 30 s before T0
    const replay = await replayAsOf({ eventStore: store, codec: env.codec, upcasters, snapshots }, ORDER, id, { asOf: new Date(T0 - 30_000) }, { maxEvents: 10_000, timeoutMs: 30_000, clock: () => T0 });
    // then, as without snapshots, the order did not exist yet (its first event is after asOf)
    expect(replay).toMatchObject({ version: 0, complete: true });
  });
});
