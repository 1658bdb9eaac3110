import type { Database } from 'better-sqlite3';
import { SqliteEventStore } from '../../adapters/embedded';
import type { EventRow } from '../../adapters/embedded/SqliteEventsTable';
import { SqliteEventsTable } from '../../adapters/embedded/SqliteEventsTable';
import { benchCodec, orderPlacedPayload, scratch } from './benchFixtures';

/** One run of the append benchmarks, events/s. */
export interface AppendRun {
  single: number;
  rawSingle: number;
  /** Raw inserts of one row each without BEGIN/COMMIT (SQLite's implicit transaction). */
  rawSingleAutocommit: number;
  ten: number;
  rawTen: number;
  /** `writers` concurrent writers, one event per append, group commit on. */
  concurrentGroup: number;
  /** The same without group commit. */
  concurrentAlone: number;
}

/**
 * SqliteEventStore appends (validate + Avro encode + envelope + version check + insert + commit)
 * against raw better-sqlite3 inserts of the same, pre-encoded rows into the same table, one
 * transaction per append. Every figure uses a fresh database file (WAL, synchronous NORMAL).
 */
export async function measureAppends(appends: number, writers: number): Promise<AppendRun> {
  const setup = scratch();
  try {
    const codec = await benchCodec(setup.open('schemas.db'));
    const store = (name: string, groupCommit: boolean): SqliteEventStore => new SqliteEventStore(setup.open(name), codec, { groupCommit });
    const context = { aggregateType: 'Order', correlationId: 'bench' };
    const event = (id: string, i: number) => ({ eventType: 'OrderPlaced', payload: orderPlacedPayload(id, i) });

    const singleStore = store('single.db', false);
    const single = await timed(appends, async () => {
      for (let i = 0; i < appends; i += 1) await singleStore.append(`s-${i}`, 0, [event(`s-${i}`, i)], context);
    });
    const rows = (await singleStore.readAll(0, 1000)).map(toRow);
    const rawSingle = raw(setup.open('raw-single.db'), rows, appends, 1);
    const rawSingleAutocommit = raw(setup.open('raw-single-auto.db'), rows, appends, 1, 'autocommit');

    const tenStore = store('ten.db', false);
    const batches = Math.max(1, Math.floor(appends / 10));
    const ten = await timed(batches * 10, async () => {
      for (let i = 0; i < batches; i += 1) {
        const id = `t-${i}`;
        await tenStore.append(id, 0, Array.from({ length: 10 }, (_, k) => event(id, k)), context);
      }
    });
    const rawTen = raw(setup.open('raw-ten.db'), rows, batches * 10, 10);

    const concurrent = async (target: SqliteEventStore, prefix: string): Promise<number> =>
      timed(appends, async () => {
        const perWriter = Math.floor(appends / writers);
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i += 1) await target.append(`${prefix}-${w}-${i}`, 0, [event(`${prefix}-${w}-${i}`, i)], context);
          }),
        );
      });
    const concurrentGroup = await concurrent(store('group.db', true), 'g');
    const concurrentAlone = await concurrent(store('alone.db', false), 'a');
    return { single, rawSingle, rawSingleAutocommit, ten, rawTen, concurrentGroup, concurrentAlone };
  } finally {
    setup.dispose();
  }
}

/**
 * Inserts `count` rows (cycled from `template`, ids made unique) in transactions of
 * `perTransaction`: explicit BEGIN IMMEDIATE/COMMIT, or (`autocommit`, one row each) the plain
 * statement in SQLite's implicit transaction — the cheapest way to write one row.
 */
function raw(db: Database, template: readonly EventRow[], count: number, perTransaction: number, mode: 'transaction' | 'autocommit' = 'transaction'): number {
  const table = new SqliteEventsTable(db);
  const rows = Array.from({ length: count }, (_, i): EventRow => {
    const base = template[i % template.length] as EventRow;
    return { ...base, event_id: `raw-${i}`, aggregate_id: `raw-${Math.floor(i / perTransaction)}`, aggregate_version: (i % perTransaction) + 1 };
  });
  const insert = db.transaction((batch: readonly EventRow[]) => {
    for (const row of batch) table.insert.run(row);
  });
  const startedAt = performance.now();
  if (mode === 'autocommit') for (const row of rows) table.insert.run(row);
  else for (let i = 0; i < rows.length; i += perTransaction) insert.immediate(rows.slice(i, i + perTransaction));
  return (count * 1000) / (performance.now() - startedAt);
}

async function timed(events: number, work: () => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return (events * 1000) / (performance.now() - startedAt);
}

function toRow(event: Awaited<ReturnType<SqliteEventStore['readAll']>>[number]): EventRow {
  return {
    event_id: event.eventId,
    aggregate_id: event.aggregateId,
    aggregate_type: event.aggregateType,
    aggregate_version: event.aggregateVersion,
    event_type: event.eventType,
    schema_version: event.schemaVersion,
    occurred_at: event.occurredAt,
    correlation_id: event.correlationId,
    record: event.record,
  };
}
