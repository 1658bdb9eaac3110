import Database from 'better-sqlite3';
import fc from 'fast-check';
import { ReadModelRowUpdates } from '../../../adapters/embedded/ReadModelRowUpdate';
import { readModelTableLayout } from '../../../adapters/embedded/ReadModelTableLayout';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import { isSyncReadModelCollection } from '../../../core/readmodel/ReadModelStore';
import type { ReadModelCollection, ReadModelCollectionOptions, SyncReadModelCollection } from '../../../core/readmodel/ReadModelStore';

const OPTIONS: ReadModelCollectionOptions = {
  fields: {
    status: { type: 'string', filterable: true },
    customerId: { type: 'string', filterable: true },
    total: { type: 'number', sortable: true },
    at: { type: 'timestamp', sortable: true },
  },
  indexedFields: ['total', 'at'],
  compositeIndexes: [['status', 'at']],
};

interface Doc {
  status?: string;
  customerId?: string;
  total?: number;
  at?: string;
  note?: string;
}

const docArbitrary: fc.Arbitrary<Doc> = fc.record(
  {
    status: fc.constantFrom('PLACED', 'CONFIRMED', 'CANCELLED'),
    customerId: fc.constantFrom('alice', 'bob'),
    total: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 5, noNaN: true })),
    at: fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'),
    note: fc.string({ maxLength: 4 }),
  },
  { requiredKeys: [] },
);

function ordersIn(db: Database.Database): ReadModelCollection<Doc> & SyncReadModelCollection<Doc> {
  const collection = new SqliteReadModelStore(db).collection<Doc>('orders', OPTIONS);
  if (!isSyncReadModelCollection(collection)) throw new Error('the SQLite collection answers synchronously');
  return collection;
}

function tableRows(db: Database.Database, table: string): unknown[] {
  return db.prepare(`SELECT * FROM "${table}" ORDER BY id`).all();
}

describe('writing only the changed columns of a read-model row', () => {
  it('leaves the table exactly as writing every column does, for any sequence of writes, duplicates and stale versions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('o-1', 'o-2', 'o-3'), fc.integer({ min: 1, max: 6 }), docArbitrary, fc.constantFrom(undefined, 'o-1', 'o-2')), { maxLength: 30 }), (writes) => {
        // given two databases with the same collection, one written through the store (changed
        // columns only, after reading a document as a projection does, or another one, or none),
        // one through a plain upsert of every column
        const selective = new Database(':memory:');
        const plain = new Database(':memory:');
        const collection = ordersIn(selective);
        new SqliteReadModelStore(plain).collection<Doc>('orders', OPTIONS);
        const layout = readModelTableLayout('orders', OPTIONS);
        const columns = layout.columns.map((c) => `"${c.column}"`);
        const upsert = plain.prepare(
          `INSERT INTO "${layout.table}" (id, version, data, ${columns.join(', ')}) VALUES (?, ?, ?, ${columns.map(() => '?').join(', ')}) ` +
            `ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data, ${columns.map((c) => `${c} = excluded.${c}`).join(', ')} WHERE excluded.version > "${layout.table}".version`,
        );
        // when the same writes go to both
        for (const [id, version, doc, readFirst] of writes) {
          if (readFirst !== undefined) collection.getNow(readFirst);
          const wrote = collection.upsertIfNewerNow(id, version, doc);
          const plainWrote = upsert.run(id, version, JSON.stringify(doc), ...layout.columns.map((c) => doc[c.field as keyof Doc] ?? null)).changes > 0;
          expect(wrote).toBe(plainWrote);
        }
        // then the tables hold the same rows, column for column
        expect(tableRows(selective, layout.table)).toEqual(tableRows(plain, layout.table));
      }),
      { numRuns: 150 },
    );
  });

  it('changes nothing when the row changed since it was read, so the caller writes every column', () => {
    // given a row read, then changed by another writer in an unchanged column
    const db = new Database(':memory:');
    const collection = ordersIn(db);
    collection.upsertIfNewerNow('o-1', 1, { status: 'PLACED', customerId: 'alice', total: 1, at: '2026-01-01T00:00:00.000Z' });
    const layout = readModelTableLayout('orders', OPTIONS);
    const updates = new ReadModelRowUpdates(db, layout);
    const stored = updates.read('o-1');
    if (stored === undefined) throw new Error('o-1 not stored');
    const statusColumn = layout.columns.find((c) => c.field === 'status')?.column ?? '';
    db.prepare(`UPDATE "${layout.table}" SET "${statusColumn}" = 'CANCELLED' WHERE id = 'o-1'`).run();
    // when version 2 changes only the total over what was read
    const values = layout.columns.map((c) => ({ status: 'PLACED', customerId: 'alice', total: 2, at: '2026-01-01T00:00:00.000Z' })[c.field] ?? null);
    const updated = updates.update('o-1', 2, '{}', values, stored);
    // then it refuses, and the row keeps what the other writer wrote
    expect(updated).toBe(false);
    expect(db.prepare(`SELECT version, "${statusColumn}" AS status FROM "${layout.table}" WHERE id = 'o-1'`).get()).toEqual({ version: 1, status: 'CANCELLED' });
  });

  it('changes nothing over a version that is not lower', () => {
    // given version 3 stored
    const db = new Database(':memory:');
    const collection = ordersIn(db);
    collection.upsertIfNewerNow('o-1', 3, { status: 'CONFIRMED', total: 3 });
    const updates = new ReadModelRowUpdates(db, readModelTableLayout('orders', OPTIONS));
    const stored = updates.read('o-1');
    if (stored === undefined) throw new Error('o-1 not stored');
    // when version 3 again, and version 2, come with other values
    const refusedSame = updates.update('o-1', 3, '{}', stored.values.map(() => null), { ...stored, version: 2 });
    const refusedOlder = collection.upsertIfNewerNow('o-1', 2, { status: 'PLACED', total: 1 });
    // then neither writes
    expect([refusedSame, refusedOlder]).toEqual([false, false]);
    expect(collection.getNow('o-1')).toEqual({ id: 'o-1', version: 3, data: { status: 'CONFIRMED', total: 3 } });
  });
});
