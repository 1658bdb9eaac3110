/**
 * Issue 11, part 3 (AWS): the search contract on a real OpenSearch node, the same corpus and
 * queries as on SQLite FTS5 (test/unit/adapters/SqliteReadModelSearch.test.ts).
 */
import { Client } from '@opensearch-project/opensearch';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { readModelIndexMapping } from '../../adapters/aws/openSearchReadModelIndex';
import { isSearchableReadModelCollection } from '../../core/readmodel/ReadModelSearch';
import { describeReadModelSearchContract, NOTICE_OPTIONS } from '../contract/readModelSearchContract';
import { uniqueName } from '../engines/awsTestClients';
import { openSearchEndpoint } from '../engines/openSearchNode';

const client = new Client({ node: openSearchEndpoint(), maxRetries: 0, requestTimeout: 30_000 });
afterAll(() => client.close());

describeReadModelSearchContract('OpenSearchReadModelStore', async () => {
  const prefix = `${uniqueName('rms')}-`;
  return {
    store: new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 }),
    close: async () => void (await client.indices.delete({ index: `${prefix}*` })),
  };
});

describe('OpenSearchReadModelStore full-text mapping', () => {
  it('analyses full-text fields with the folding analyzer of the index settings', async () => {
    // given a collection with a full-text field
    const prefix = `${uniqueName('rms')}-`;
    const store = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 });
    await store.collection('notes', { fields: { body: { type: 'string', fullText: true } } }).upsertIfNewer('a', 1, { body: 'Crème' });
    try {
      // when the index analyses a text as the field does
      const { body } = await client.indices.analyze({ index: `${prefix}notes`, body: { field: 'text.body', text: 'Crème Brûlée_au-lait' } });
      // then
      expect((body.tokens ?? []).map((token) => token.token)).toEqual(['creme', 'brulee_au', 'lait']);
    } finally {
      await client.indices.delete({ index: `${prefix}*` });
    }
  });

  it('adds the analyzer and the full-text fields to an index created before full-text search', async () => {
    // given an index made without full-text fields (nor the analyzer), holding a notice
    const prefix = `${uniqueName('rms')}-`;
    await client.indices.create({ index: `${prefix}notices`, body: { settings: { number_of_replicas: 0 }, mappings: readModelIndexMapping(['ownerId']) } });
    const before = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 }).collection('notices', { indexedFields: ['ownerId'] });
    await before.upsertIfNewer('n1', 1, { ownerId: 'alice', title: 'Green lamp', body: 'old' });
    try {
      // when a process that declares the full-text fields writes another notice and searches
      const after = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 }).collection('notices', NOTICE_OPTIONS);
      await after.upsertIfNewer('n2', 1, { ownerId: 'alice', title: 'Green scarf', body: 'new' });
      const page = isSearchableReadModelCollection(after) ? await after.search({ text: 'green' }) : undefined;
      // then the new notice is found; the old one once rewritten (or rebuilt)
      expect(page?.hits.map((hit) => hit.document.id)).toEqual(['n2']);
    } finally {
      await client.indices.delete({ index: `${prefix}*` });
    }
  });
});
