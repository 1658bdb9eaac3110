import { READ_MODEL_ERRORS } from '../../core/readmodel/ReadModelStore';
import type { ReadModelCollection, ReadModelQuery, ReadModelStore } from '../../core/readmodel/ReadModelStore';

/** A read model store under test and how to release it. */
export interface ReadModelStoreUnderTest {
  store: ReadModelStore;
  close(): Promise<void>;
}

interface Order {
  status: string;
  /** Text in one case: a range on numbers must not match it. */
  total?: number | string;
  vip: boolean;
  placedAt?: string;
}

/** Every document a query yields, following cursors to the end. */
async function readAllPages(collection: ReadModelCollection<Order>, query: ReadModelQuery): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await collection.query({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < 100);
  return { ids, pages };
}

/** The ReadModelStore contract; every implementation runs it. */
export function describeReadModelStoreContract(name: string, factory: () => Promise<ReadModelStoreUnderTest>): void {
  describe(`ReadModelStore contract: ${name}`, () => {
    let subject: ReadModelStoreUnderTest;
    let orders: ReadModelCollection<Order>;

    beforeEach(async () => {
      subject = await factory();
      // Every field the cases filter or sort on is declared: engines that index declared fields
      // only (OpenSearch) refuse a query on any other.
      orders = subject.store.collection<Order>('orders', { indexedFields: ['status', 'total', 'vip', 'placedAt'] });
    });

    afterEach(async () => {
      await subject.close();
    });

    async function seed(): Promise<void> {
      // Ties on total (o2, o4) and a missing total (o5) exercise the keyset tie-break and NULLs.
      await orders.upsertIfNewer('o1', 1, { status: 'placed', total: 30, vip: false });
      await orders.upsertIfNewer('o2', 1, { status: 'placed', total: 10, vip: true });
      await orders.upsertIfNewer('o3', 1, { status: 'cancelled', total: 20, vip: false });
      await orders.upsertIfNewer('o4', 1, { status: 'placed', total: 10, vip: false });
      await orders.upsertIfNewer('o5', 1, { status: 'confirmed', vip: true });
    }

    it('returns undefined for a missing document', async () => {
      // given an empty collection
      // when reading a document
      const document = await orders.get('nope');
      // then there is none
      expect(document).toBeUndefined();
    });

    it('writes a document and reads it back with its version', async () => {
      // given a new document
      const written = await orders.upsertIfNewer('o1', 1, { status: 'placed', total: 12.5, vip: false });
      // when reading it
      const document = await orders.get('o1');
      // then it is there
      expect(written).toBe(true);
      expect(document).toEqual({ id: 'o1', version: 1, data: { status: 'placed', total: 12.5, vip: false } });
    });

    it('ignores a write at the same or an older version', async () => {
      // given a document at version 3
      await orders.upsertIfNewer('o1', 3, { status: 'confirmed', vip: false });
      // when a duplicate and a replayed older event arrive
      const duplicate = await orders.upsertIfNewer('o1', 3, { status: 'placed', vip: false });
      const older = await orders.upsertIfNewer('o1', 2, { status: 'placed', vip: false });
      const newer = await orders.upsertIfNewer('o1', 4, { status: 'cancelled', vip: false });
      // then only the newer one wrote
      expect([duplicate, older, newer]).toEqual([false, false, true]);
      expect(await orders.get('o1')).toMatchObject({ version: 4, data: { status: 'cancelled' } });
    });

    it('deletes a document only for a newer version', async () => {
      // given a document at version 2
      await orders.upsertIfNewer('o1', 2, { status: 'placed', vip: false });
      // when deleting at versions 2 and 3
      const stale = await orders.deleteIfNewer('o1', 2);
      const fresh = await orders.deleteIfNewer('o1', 3);
      // then only the newer delete removed it
      expect([stale, fresh]).toEqual([false, true]);
      await expect(orders.get('o1')).resolves.toBeUndefined();
    });

    it('keeps collections apart', async () => {
      // given the same id in two collections
      const customers = subject.store.collection<Order>('customers');
      await orders.upsertIfNewer('x', 1, { status: 'placed', vip: false });
      await customers.upsertIfNewer('x', 5, { status: 'gold', vip: true });
      // when reading and querying each
      const fromOrders = await orders.get('x');
      const customerPage = await customers.query();
      // then neither sees the other
      expect(fromOrders?.data.status).toBe('placed');
      expect(customerPage.items.map((item) => item.data.status)).toEqual(['gold']);
    });

    it('filters by equality on strings, numbers and booleans', async () => {
      // given five orders
      await seed();
      // when filtering
      const placed = await orders.query({ where: { status: 'placed' } });
      const vipPlaced = await orders.query({ where: { status: 'placed', vip: true } });
      const ofTen = await orders.query({ where: { total: 10 } });
      // then only matching documents come back, by id
      expect(placed.items.map((item) => item.id)).toEqual(['o1', 'o2', 'o4']);
      expect(vipPlaced.items.map((item) => item.id)).toEqual(['o2']);
      expect(ofTen.items.map((item) => item.id)).toEqual(['o2', 'o4']);
    });

    it('sorts by a field in either direction, ties broken by id', async () => {
      // given five orders, two with the same total and one without a total
      await seed();
      // when sorting by total
      const ascending = await orders.query({ sortBy: 'total', direction: 'asc', where: { status: 'placed' } });
      const descending = await orders.query({ sortBy: 'total', direction: 'desc', where: { status: 'placed' } });
      // then the order follows total, then id
      expect(ascending.items.map((item) => item.id)).toEqual(['o2', 'o4', 'o1']);
      expect(descending.items.map((item) => item.id)).toEqual(['o1', 'o4', 'o2']);
    });

    it.each([
      ['id', 'asc'],
      ['id', 'desc'],
      ['total', 'asc'],
      ['total', 'desc'],
      ['status', 'asc'],
    ] as const)('pages through every document exactly once sorted by %s %s', async (sortBy, direction) => {
      // given five orders
      await seed();
      // when paging two at a time
      const { ids, pages } = await readAllPages(orders, { sortBy, direction, limit: 2 });
      const whole = await orders.query({ sortBy, direction, limit: 100 });
      // then the pages add up to the unpaged result
      expect(ids).toEqual(whole.items.map((item) => item.id));
      expect([...ids].sort()).toEqual(['o1', 'o2', 'o3', 'o4', 'o5']);
      expect(pages).toBe(3);
    });

    it('returns 20 documents by default and at most 100', async () => {
      // given 120 documents
      for (let index = 0; index < 120; index += 1) {
        await orders.upsertIfNewer(`order-${String(index).padStart(3, '0')}`, 1, { status: 'placed', vip: false });
      }
      // when querying without a limit and with a too large one
      const byDefault = await orders.query();
      const capped = await orders.query({ limit: 500 });
      // then the page sizes are bounded
      expect(byDefault.items).toHaveLength(20);
      expect(byDefault.nextCursor).toBeDefined();
      expect(capped.items).toHaveLength(100);
    });

    it('refuses a field name that is not a plain identifier, naming it', async () => {
      // given a field name with a JSON path in it
      const query = orders.query({ where: { "status') OR 1=1 --": 'x' } });
      // when querying
      // then the query is refused and names the field
      await expect(query).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, message: expect.stringContaining('status') });
      await expect(orders.query({ sortBy: 'a.b' })).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'a.b' } });
    });

    async function seedForRanges(): Promise<void> {
      // A text total (r4) and a missing one (r5): a number range matches neither.
      await orders.upsertIfNewer('r1', 1, { status: 'placed', total: 5, vip: false, placedAt: '2025-12-31T23:59:59.999Z' });
      await orders.upsertIfNewer('r2', 1, { status: 'placed', total: 100, vip: false, placedAt: '2026-01-01T00:00:00.000Z' });
      await orders.upsertIfNewer('r3', 1, { status: 'cancelled', total: 250.5, vip: true, placedAt: '2026-02-01T08:00:00.000Z' });
      await orders.upsertIfNewer('r4', 1, { status: 'placed', total: 'n/a', vip: true, placedAt: '2026-03-01T08:00:00.000Z' });
      await orders.upsertIfNewer('r5', 1, { status: 'placed', vip: false });
    }

    it.each([
      [{ gte: 100 }, ['r2', 'r3']],
      [{ gt: 100 }, ['r3']],
      [{ lt: 100 }, ['r1']],
      [{ lte: 100 }, ['r1', 'r2']],
      [{ gt: 5, lt: 250.5 }, ['r2']],
      [{ gte: 5, lte: 250.5 }, ['r1', 'r2', 'r3']],
    ])('filters by the number range %j, never matching text or a missing value', async (range, expected) => {
      // given totals 5, 100, 250.5, a text total and none
      await seedForRanges();
      // when
      const page = await orders.query({ range: { total: range } });
      // then
      expect(page.items.map((item) => item.id)).toEqual(expected);
    });

    it('filters ISO-8601 timestamps by a string range in time order, with equality filters beside it', async () => {
      // given four documents placed around the new year, one without a time
      await seedForRanges();
      // when
      const sinceNewYear = await orders.query({ range: { placedAt: { gte: '2026-01-01T00:00:00.000Z' } } });
      const january = await orders.query({ range: { placedAt: { gte: '2026-01-01T00:00:00.000Z', lt: '2026-02-01T00:00:00.000Z' } } });
      const before = await orders.query({ range: { placedAt: { lt: '2026-01-01T00:00:00.000Z' } } });
      const placedSince = await orders.query({ where: { status: 'placed' }, range: { placedAt: { gt: '2025-12-31T23:59:59.999Z' } } });
      // then
      expect(sinceNewYear.items.map((item) => item.id)).toEqual(['r2', 'r3', 'r4']);
      expect(january.items.map((item) => item.id)).toEqual(['r2']);
      expect(before.items.map((item) => item.id)).toEqual(['r1']);
      expect(placedSince.items.map((item) => item.id)).toEqual(['r2', 'r4']);
    });

    it('pages through a range sorted by the ranged field exactly once', async () => {
      // given
      await seedForRanges();
      await orders.upsertIfNewer('r6', 1, { status: 'placed', total: 100, vip: true });
      // when paging one at a time, descending
      const { ids } = await readAllPages(orders, { range: { total: { gte: 5 } }, sortBy: 'total', direction: 'desc', limit: 1 });
      // then ties on total broken by id, descending
      expect(ids).toEqual(['r3', 'r6', 'r2', 'r1']);
    });

    it('refuses a range without bounds or with bounds of two types, naming the field', async () => {
      // given
      await seedForRanges();
      // when
      const empty = orders.query({ range: { total: {} } });
      const mixed = orders.query({ range: { total: { gt: 1, lt: 'z' } } });
      // then
      await expect(empty).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'total' } });
      await expect(mixed).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'total' } });
    });

    it('refuses a malformed cursor', async () => {
      // given some documents
      await seed();
      // when querying with a cursor it never issued
      const query = orders.query({ cursor: 'not a cursor!' });
      // then it is refused
      await expect(query).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY });
    });
  });
}
