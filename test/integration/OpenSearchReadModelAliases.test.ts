import { Client } from '@opensearch-project/opensearch';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { dropIfSuperseded, switchReadModelAliases } from '../../adapters/aws/openSearchReadModelAliases';
import { shadowCollectionName } from '../../core/readmodel/ReadModelVersions';
import { uniqueName } from '../engines/awsTestClients';
import { openSearchEndpoint } from '../engines/openSearchNode';

interface Order {
  status: string;
}

const client = new Client({ node: openSearchEndpoint(), maxRetries: 0, requestTimeout: 30_000 });
afterAll(() => client.close());

const options = { indexedFields: ['status'] };

describe('OpenSearch read models behind aliases', () => {
  let prefix: string;
  let store: OpenSearchReadModelStore;

  beforeEach(() => {
    prefix = `${uniqueName('rma')}-`;
    store = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 });
  });

  afterEach(async () => {
    await client.indices.delete({ index: `${prefix}*` }, { ignore: [404] });
  });

  async function aliasTargets(alias: string): Promise<string[]> {
    const response = await client.indices.getAlias({ name: alias });
    return Object.keys(response.body as Record<string, unknown>);
  }

  it('creates a new collection as the alias <prefix><collection> over the index <prefix><collection>-v1', async () => {
    // given a store over a fresh prefix
    const orders = store.collection<Order>('orders', options);

    // when a document is written
    await orders.upsertIfNewer('o1', 1, { status: 'placed' });

    // then the collection is an alias over version 1, read through it
    await expect(aliasTargets(`${prefix}orders`)).resolves.toEqual([`${prefix}orders-v1`]);
    await expect(orders.get('o1')).resolves.toEqual({ id: 'o1', version: 1, data: { status: 'placed' } });
  });

  it('writes a shadow collection to the physical index of its version, with no alias, leaving readers on the live one', async () => {
    // given a live collection
    const orders = store.collection<Order>('orders', options);
    await orders.upsertIfNewer('o1', 1, { status: 'placed' });

    // when a rebuild of order-list into version 2 writes its shadow
    const shadow = store.collection<Order>(shadowCollectionName('orders', 'order-list', 2), options);
    await shadow.upsertIfNewer('o1', 2, { status: 'shipped' });

    // then the shadow is the index -v2, and the live collection is unchanged
    await expect(client.indices.exists({ index: `${prefix}orders-v2` })).resolves.toMatchObject({ body: true });
    await expect(aliasTargets(`${prefix}orders`)).resolves.toEqual([`${prefix}orders-v1`]);
    await expect(orders.get('o1')).resolves.toMatchObject({ version: 1, data: { status: 'placed' } });
  });

  it('switches the alias to the shadow in one request and deletes the old index; the live pipeline then writes the new version', async () => {
    // given a live collection and its rebuilt shadow
    const orders = store.collection<Order>('orders', options);
    await orders.upsertIfNewer('o1', 1, { status: 'placed' });
    const shadow = store.collection<Order>(shadowCollectionName('orders', 'order-list', 2), options);
    await shadow.upsertIfNewer('o1', 2, { status: 'shipped' });

    // when the aliases are switched (twice: a switch run again after a crash is a no-op)
    const switched = await switchReadModelAliases(client, prefix, 'order-list', 2);
    const again = await switchReadModelAliases(client, prefix, 'order-list', 2);

    // then readers see version 2, the old index is gone, and the same collection object writes into v2
    expect(switched).toEqual({ collections: ['orders'], deleted: [`${prefix}orders-v1`] });
    expect(again).toEqual({ collections: ['orders'], deleted: [] });
    await expect(aliasTargets(`${prefix}orders`)).resolves.toEqual([`${prefix}orders-v2`]);
    await expect(client.indices.exists({ index: `${prefix}orders-v1` })).resolves.toMatchObject({ body: false });
    await expect(orders.get('o1')).resolves.toMatchObject({ version: 2, data: { status: 'shipped' } });
    await expect(orders.upsertIfNewer('o1', 3, { status: 'delivered' })).resolves.toBe(true);
    await expect(shadow.get('o1')).resolves.toMatchObject({ version: 3 });
  });

  it('adopts a concrete index from before aliases and replaces it with remove_index at the first switch', async () => {
    // given a concrete index named like the collection, holding a document
    await client.indices.create({ index: `${prefix}orders`, body: { settings: { number_of_replicas: 0 } } });
    const orders = store.collection<Order>('orders', options);
    await orders.upsertIfNewer('o1', 1, { status: 'placed' });
    await expect(orders.get('o1')).resolves.toMatchObject({ version: 1 });
    const shadow = store.collection<Order>(shadowCollectionName('orders', 'order-list', 2), options);
    await shadow.upsertIfNewer('o1', 1, { status: 'placed' });
    await shadow.upsertIfNewer('o2', 1, { status: 'placed' });

    // when the first switch runs
    const switched = await switchReadModelAliases(client, prefix, 'order-list', 2);

    // then the concrete index is gone and its name is the alias over version 2
    expect(switched.collections).toEqual(['orders']);
    await expect(aliasTargets(`${prefix}orders`)).resolves.toEqual([`${prefix}orders-v2`]);
    await expect(orders.get('o2')).resolves.toMatchObject({ version: 1 });
    // and a store created afterwards extends the aliased index instead of creating -v1 again
    await client.indices.refresh({ index: `${prefix}orders` });
    const later = new OpenSearchReadModelStore({ client, indexPrefix: prefix, numberOfReplicas: 0 }).collection<Order>('orders', { indexedFields: ['status', 'total'] });
    await expect(later.query({ where: { status: 'placed' }, sortBy: 'total' })).resolves.toMatchObject({ items: [{ id: 'o1' }, { id: 'o2' }] });
    await expect(client.indices.exists({ index: `${prefix}orders-v1` })).resolves.toMatchObject({ body: false });
  });

  it('serves every read through the alias while the switch happens', async () => {
    // given a live collection and a shadow with the same documents
    const orders = store.collection<Order>('orders', options);
    const shadow = store.collection<Order>(shadowCollectionName('orders', 'order-list', 2), options);
    for (const id of ['o1', 'o2', 'o3']) {
      await orders.upsertIfNewer(id, 1, { status: 'placed' });
      await shadow.upsertIfNewer(id, 1, { status: 'placed' });
    }
    await client.indices.refresh({ index: `${prefix}*` });

    // when readers query and get in a loop while the alias is switched
    let reading = true;
    const results: number[] = [];
    const readers = (async () => {
      while (reading) {
        const page = await orders.query({ where: { status: 'placed' } });
        const one = await orders.get('o2');
        results.push(page.items.length + (one ? 1 : 0));
      }
    })();
    await switchReadModelAliases(client, prefix, 'order-list', 2);
    await orders.get('o1');
    reading = false;
    await readers;

    // then no read failed and every one saw the whole collection
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results)).toEqual(new Set([4]));
  });

  it('keeps only the rebuilt version when a live process created -v1 with the alias while a first switch made it', async () => {
    // given a rebuild switched in before any live write, and a live process that had found no collection creating -v1 with the alias
    const shadow = store.collection<Order>(shadowCollectionName('orders', 'order-list', 2), options);
    await shadow.upsertIfNewer('o1', 1, { status: 'placed' });
    await switchReadModelAliases(client, prefix, 'order-list', 2);
    await client.indices.create({ index: `${prefix}orders-v1`, body: { settings: { number_of_replicas: 0 }, aliases: { [`${prefix}orders`]: {} } } });

    // when that process checks its creation
    await dropIfSuperseded(client, `${prefix}orders`, `${prefix}orders-v1`);

    // then the alias holds version 2 alone, and writes go through it
    await expect(aliasTargets(`${prefix}orders`)).resolves.toEqual([`${prefix}orders-v2`]);
    await expect(store.collection<Order>('orders', options).upsertIfNewer('o1', 2, { status: 'shipped' })).resolves.toBe(true);
  });
});
