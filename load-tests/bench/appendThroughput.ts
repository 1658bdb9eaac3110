import type { Database, Statement } from 'better-sqlite3';
import { SqliteEventStore } from '../../adapters/embedded';
import type { EventRow } from '../../adapters/embedded/SqliteEventsTable';
import { SqliteEventsTable } from '../../adapters/embedded/SqliteEventsTable';
import type { NewEvent } from '../../core/events/EventStore';
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

/** Appends measured per block; contenders take turns block by block. */
const BLOCK = 500;

/**
 * SqliteEventStore appends (validate + Avro encode + envelope + version check + insert + commit)
 * against raw better-sqlite3 inserts of the same, pre-encoded rows into the same table, one
 * transaction per append. Every contender writes its own database file (WAL, synchronous NORMAL).
 *
 * The contenders of a comparison take turns in blocks of {@link BLOCK} appends, in a rotating
 * order, and each one's rate is its appends over the sum of its blocks' times. Run one after the
 * other, whoever went first was up to 30 % slower on this machine (file-system and CPU warm-up
 * drift within a process), which is larger than the differences measured.
 */
export async function measureAppends(appends: number, writers: number): Promise<AppendRun> {
  const setup = scratch();
  try {
    const codec = await benchCodec(setup.open('schemas.db'));
    const store = (name: string, groupCommit: boolean): SqliteEventStore => new SqliteEventStore(setup.open(name), codec, { groupCommit });
    const context = { aggregateType: 'Order', correlationId: 'bench' };
    const event = (id: string, i: number): NewEvent => ({ eventType: 'OrderPlaced', payload: orderPlacedPayload(id, i) });

    // Template rows: what the store writes, encoded once, so raw inserts write the same bytes.
    const templateStore = store('template.db', false);
    for (let i = 0; i < 1000; i += 1) await templateStore.append(`x-${i}`, 0, [event(`x-${i}`, i)], context);
    const template = (await templateStore.readAll(0, 1000)).map(toRow);

    const singleStore = store('single.db', false);
    const rawTx = new RawInserter(setup.open('raw-single.db'), template, appends, 1);
    const rawAuto = new RawInserter(setup.open('raw-single-auto.db'), template, appends, 1);
    let single = 0;
    const [singleRate, rawSingle, rawSingleAutocommit] = await takeTurns(appends, [
      async (count) => {
        for (let i = 0; i < count; i += 1, single += 1) await singleStore.append(`s-${single}`, 0, [event(`s-${single}`, single)], context);
      },
      async (count) => rawTx.insert(count, 'transaction'),
      async (count) => rawAuto.insert(count, 'autocommit'),
    ]);

    const tenStore = store('ten.db', false);
    const rawTenInserter = new RawInserter(setup.open('raw-ten.db'), template, appends, 10);
    let tens = 0;
    const [ten, rawTen] = await takeTurns(appends, [
      async (count) => {
        for (let i = 0; i < count / 10; i += 1, tens += 1) {
          const id = `t-${tens}`;
          await tenStore.append(id, 0, Array.from({ length: 10 }, (_, k) => event(id, k)), context);
        }
      },
      async (count) => rawTenInserter.insert(count, 'transaction'),
    ]);

    const concurrently = (target: SqliteEventStore, prefix: string): ((count: number) => Promise<void>) => {
      let block = 0;
      return async (count) => {
        const perWriter = Math.floor(count / writers);
        block += 1;
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i += 1) await target.append(`${prefix}-${block}-${w}-${i}`, 0, [event(`${prefix}-${w}-${i}`, i)], context);
          }),
        );
      };
    };
    const rawForConcurrent = new RawInserter(setup.open('raw-concurrent.db'), template, appends, 1);
    const blockOfWriters = Math.floor(BLOCK / writers) * writers;
    const [concurrentGroup, concurrentAlone, rawConcurrent] = await takeTurns(
      appends,
      [concurrently(store('group.db', true), 'g'), concurrently(store('alone.db', false), 'a'), async (count) => rawForConcurrent.insert(count, 'transaction')],
      blockOfWriters,
    );
    // The concurrent writers compare with raw 1-row transactions measured in their own turns.
    return { single: singleRate, rawSingle: (rawSingle + rawConcurrent) / 2, rawSingleAutocommit, ten, rawTen, concurrentGroup, concurrentAlone };
  } finally {
    setup.dispose();
  }
}

/**
 * Runs each contender for `total` appends in blocks of `block`, rotating who goes first each
 * round; returns each contender's rate (appends per second of its own blocks).
 */
async function takeTurns<const C extends readonly Contender[]>(total: number, contenders: C, block = BLOCK): Promise<{ [K in keyof C]: number }> {
  const elapsed = contenders.map(() => 0);
  const done = contenders.map(() => 0);
  for (let round = 0; done.some((count) => count < total); round += 1) {
    for (let turn = 0; turn < contenders.length; turn += 1) {
      const index = (round + turn) % contenders.length;
      const count = Math.min(block, total - (done[index] ?? 0));
      if (count <= 0) continue;
      const startedAt = performance.now();
      await contenders[index]?.(count);
      elapsed[index] = (elapsed[index] ?? 0) + performance.now() - startedAt;
      done[index] = (done[index] ?? 0) + count;
    }
  }
  return done.map((count, index) => (count * 1000) / (elapsed[index] ?? 1)) as { [K in keyof C]: number };
}

/** Appends `count` events (or rows) when its turn comes. */
type Contender = (count: number) => Promise<void>;

/**
 * Raw better-sqlite3 inserts of template rows (ids made unique), `perTransaction` rows per commit.
 * Every row is built up front, so the timed blocks only insert.
 */
class RawInserter {
  private readonly insertStatement: Statement<EventRow>;
  private readonly inTransaction: (batch: readonly EventRow[]) => void;
  private readonly rows: EventRow[];
  private next = 0;

  constructor(db: Database, template: readonly EventRow[], total: number, private readonly perTransaction: number) {
    this.insertStatement = new SqliteEventsTable(db).insert;
    const transaction = db.transaction((batch: readonly EventRow[]) => {
      for (const row of batch) this.insertStatement.run(row);
    });
    this.inTransaction = (batch) => transaction.immediate(batch);
    this.rows = Array.from({ length: total }, (_, i): EventRow => {
      const base = template[i % template.length] as EventRow;
      return { ...base, event_id: `raw-${i}`, aggregate_id: `raw-${Math.floor(i / perTransaction)}`, aggregate_version: (i % perTransaction) + 1 };
    });
  }

  /**
   * Inserts the next `count` rows: in explicit BEGIN IMMEDIATE/COMMIT transactions of
   * `perTransaction`, or (`autocommit`, one row each) as the plain statement in SQLite's implicit
   * transaction, the cheapest way to write one row.
   */
  insert(count: number, mode: 'transaction' | 'autocommit'): void {
    const rows = this.rows.slice(this.next, this.next + count);
    this.next += count;
    if (mode === 'autocommit') for (const row of rows) this.insertStatement.run(row);
    else for (let i = 0; i < rows.length; i += this.perTransaction) this.inTransaction(rows.slice(i, i + this.perTransaction));
  }
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
