import { hasErrorCode } from '../../core/errors/NexusError';
import { isSearchableReadModelCollection } from '../../core/readmodel/ReadModelSearch';
import type { ReadModelSearchPage, ReadModelSearchQuery, SearchableReadModelCollection } from '../../core/readmodel/ReadModelSearch';
import { READ_MODEL_ERRORS } from '../../core/readmodel/ReadModelStore';
import type { ReadModelCollection, ReadModelCollectionOptions } from '../../core/readmodel/ReadModelStore';
import type { ReadModelStoreUnderTest } from './readModelStoreContract';

/** A notice of the corpus: two full-text fields, an owner to filter on. */
export interface Notice {
  ownerId: string;
  title: string;
  body: string;
}

/** The collection options every store is given: the declaration's fields, as `collectionOptionsOf` passes them. */
export const NOTICE_OPTIONS: ReadModelCollectionOptions = {
  fields: {
    ownerId: { type: 'string', filterable: true },
    title: { type: 'string', fullText: true },
    body: { type: 'string', fullText: true },
  },
};

/** The corpus: short and long texts, a longer word sharing a prefix, diacritics, two owners. */
export const NOTICE_CORPUS: ReadonlyArray<{ id: string; data: Notice }> = [
  { id: 'n1', data: { ownerId: 'alice', title: 'Blue', body: '' } },
  { id: 'n2', data: { ownerId: 'alice', title: 'Order cancelled', body: 'The customer asked to cancel: the blue shirt was too small and the delivery took too long' } },
  { id: 'n3', data: { ownerId: 'alice', title: 'Bluebird feeder', body: 'A wooden feeder for small garden birds' } },
  { id: 'n4', data: { ownerId: 'alice', title: 'Order confirmed', body: 'Your order of a green lamp is confirmed' } },
  { id: 'n5', data: { ownerId: 'alice', title: 'Café au lait', body: 'Crème brûlée and coffee' } },
  { id: 'n6', data: { ownerId: 'bob', title: 'Blue note', body: 'A jazz record' } },
];

/** Texts no user may use to break a query: each answers a page or INVALID_READ_MODEL_QUERY naming `q`. */
export const HOSTILE_TEXTS = ['"', '"blue', 'NEAR(', 'NEAR(blue green, 2)', '*', '-', '-blue', 'data:x', 'title:blue', 'blue OR', 'AND', ')(', '^blue', '{title}: blue', "'; DROP TABLE x; --", 'blue*"*', '\u0000'];

type Searchable = ReadModelCollection<Notice> & SearchableReadModelCollection<Notice>;

const idsOf = (page: ReadModelSearchPage<Notice>): string[] => page.hits.map((hit) => hit.document.id);

/** The full-text search contract; every searchable store runs it on the same corpus. */
export function describeReadModelSearchContract(name: string, factory: () => Promise<ReadModelStoreUnderTest>): void {
  describe(`ReadModel search contract: ${name}`, () => {
    let subject: ReadModelStoreUnderTest;
    let notices: Searchable;
    const search = (query: ReadModelSearchQuery): Promise<ReadModelSearchPage<Notice>> => notices.search(query);

    beforeEach(async () => {
      subject = await factory();
      const collection = subject.store.collection<Notice>('notices', NOTICE_OPTIONS);
      if (!isSearchableReadModelCollection(collection)) throw new Error(`${name} collections are not searchable`);
      notices = collection;
      for (const { id, data } of NOTICE_CORPUS) await notices.upsertIfNewer(id, 1, data);
    });

    afterEach(async () => {
      await subject.close();
    });

    it('ranks the exact, shortest match first and finds every document holding the word', async () => {
      // given the corpus
      // when
      const page = await search({ text: 'blue' });
      // then: n1 is "Blue" alone; "bluebird" is another word
      expect(idsOf(page)[0]).toBe('n1');
      expect(idsOf(page).sort()).toEqual(['n1', 'n2', 'n6']);
      expect(page.hits[0]?.score).toBeGreaterThan(Math.max(...page.hits.slice(1).map((hit) => hit.score)));
    });

    it('matches a word ending in * as a prefix, the word itself first', async () => {
      // given the corpus
      // when
      const prefix = await search({ text: 'blue*' });
      const feeder = await search({ text: 'FEED*' });
      // then
      expect(idsOf(prefix)[0]).toBe('n1');
      expect(idsOf(prefix).sort()).toEqual(['n1', 'n2', 'n3', 'n6']);
      expect(idsOf(feeder)).toEqual(['n3']);
    });

    it('needs every word, each in any full-text field', async () => {
      // given the corpus
      // when
      const acrossFields = await search({ text: 'blue jazz' });
      const both = await search({ text: 'order green' });
      const none = await search({ text: 'green jazz' });
      // then
      expect(idsOf(acrossFields)).toEqual(['n6']);
      expect(idsOf(both)).toEqual(['n4']);
      expect(idsOf(none)).toEqual([]);
    });

    it('marks the matched words in the highlights of the fields they matched in', async () => {
      // given the corpus
      // when
      const page = await search({ text: 'green' });
      // then
      expect(idsOf(page)).toEqual(['n4']);
      expect(Object.keys(page.hits[0]?.highlights ?? {})).toEqual(['body']);
      expect(page.hits[0]?.highlights.body?.join(' ')).toContain('<mark>green</mark>');
      expect(page.hits[0]?.document).toEqual({ id: 'n4', version: 1, data: NOTICE_CORPUS[3]?.data });
    });

    it('folds case and diacritics alike in documents and queries', async () => {
      // given the corpus
      // when
      const page = await search({ text: 'CAFE creme' });
      // then
      expect(idsOf(page)).toEqual(['n5']);
    });

    it('finds the new text and not the old after an update, and nothing after a delete', async () => {
      // given n4 rewritten at version 2, and n3 deleted
      await notices.upsertIfNewer('n4', 2, { ownerId: 'alice', title: 'Order confirmed', body: 'Your order of a red lamp is confirmed' });
      await notices.deleteIfNewer('n3', 2);
      // when
      const [oldText, newText, deleted] = await Promise.all([search({ text: 'green' }), search({ text: 'red' }), search({ text: 'feeder' })]);
      // then
      expect(idsOf(oldText)).toEqual([]);
      expect(idsOf(newText)).toEqual(['n4']);
      expect(newText.hits[0]?.document.version).toBe(2);
      expect(idsOf(deleted)).toEqual([]);
    });

    it('ignores an older version replayed after a newer one', async () => {
      // given n4 at version 2 with new text, then version 1 replayed
      await notices.upsertIfNewer('n4', 2, { ownerId: 'alice', title: 'Order confirmed', body: 'Your order of a red lamp is confirmed' });
      await notices.upsertIfNewer('n4', 1, { ownerId: 'alice', title: 'Order confirmed', body: 'Your order of a green lamp is confirmed' });
      // when
      const page = await search({ text: 'green' });
      // then
      expect(idsOf(page)).toEqual([]);
    });

    it('filters by equality on a declared field, as an own-scoped grant does', async () => {
      // given the corpus
      // when
      const page = await search({ text: 'blue', where: { ownerId: 'bob' } });
      // then
      expect(idsOf(page)).toEqual(['n6']);
    });

    it('pages through the ranked hits with cursors, in the order of one page', async () => {
      // given the ranking of "blu*" on one page
      const whole = idsOf(await search({ text: 'blu*' }));
      // when it is read one hit at a time
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search({ text: 'blu*', limit: 1, ...(cursor === undefined ? {} : { cursor }) });
        paged.push(...idsOf(page));
        cursor = page.nextCursor;
      } while (cursor !== undefined && paged.length < 10);
      // then
      expect(paged).toEqual(whole);
    });

    it('refuses a cursor of another search, naming the cursor', async () => {
      // given a cursor of "blu*"
      const { nextCursor } = await search({ text: 'blu*', limit: 1 });
      // when it is used with another text, and a made-up one is used
      const other = search({ text: 'order', ...(nextCursor === undefined ? {} : { cursor: nextCursor }) });
      const forged = search({ text: 'blu*', cursor: 'bm90IGEgY3Vyc29y' });
      // then
      await expect(other).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'cursor' } });
      await expect(forged).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'cursor' } });
    });

    it('refuses a text without a word, or too long, naming q', async () => {
      // given the corpus
      // when
      const attempts = ['', '   ', '*', '"-"', 'x'.repeat(257)].map((text) => search({ text }).then(() => 'answered', (error: unknown) => error));
      // then
      for (const outcome of await Promise.all(attempts)) expect(outcome).toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'q' } });
    });

    it('answers hostile texts with a page or a refusal naming q, never an engine error', async () => {
      // given the corpus
      for (const text of HOSTILE_TEXTS) {
        // when
        const outcome = await search({ text }).then(
          () => 'page',
          (error: unknown) => (hasErrorCode(error, READ_MODEL_ERRORS.INVALID_QUERY) ? `refused, field ${String((error as { details: { field?: string } }).details.field)}` : String(error)),
        );
        // then
        expect([text, outcome]).toEqual([text, outcome === 'page' ? 'page' : 'refused, field q']);
      }
      // and the words in them still mean words: "-blue" finds blue
      expect(idsOf(await search({ text: '-blue' }))).toEqual(idsOf(await search({ text: 'blue' })));
    });

    it('refuses a search of a collection without full-text fields, naming q', async () => {
      // given a collection whose fields are not full-text
      const plain = subject.store.collection('plain-notices', { indexedFields: ['ownerId'], fields: { ownerId: { type: 'string', filterable: true } } });
      await plain.upsertIfNewer('p1', 1, { ownerId: 'alice' });
      // when
      const attempt = isSearchableReadModelCollection(plain) ? plain.search({ text: 'alice' }) : Promise.reject(new Error('not searchable'));
      // then
      await expect(attempt).rejects.toMatchObject({ code: READ_MODEL_ERRORS.INVALID_QUERY, details: { field: 'q' } });
    });
  });
}
