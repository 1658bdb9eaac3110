/**
 * Issue 11, part 3 (AWS): the search contract on a real OpenSearch node, the same corpus and
 * queries as on SQLite FTS5 (test/unit/adapters/SqliteReadModelSearch.test.ts).
 */
import { Client } from '@opensearch-project/opensearch';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { describeReadModelSearchContract } from '../contract/readModelSearchContract';
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
});
