import { CreateSchemaCommand, GetSchemaByDefinitionCommand, GetSchemaCommand, GetSchemaVersionCommand } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { glueDefinitionText } from '../../adapters/aws/glueSchemaShapes';
import { canonicalSchema } from '../../core/schema/canonicalSchema';
import { motoEndpoint, uniqueName } from '../engines/awsTestClients';
import { describeSchemaRegistryContract } from '../contract/schemaRegistryContract';
import { countingGlueClient, startGlueThrottlingProxy, testRegistries } from './GlueSchemaRegistryTestClient';

const REGION = 'eu-west-1';
const shared = countingGlueClient(REGION);
const registries = testRegistries(shared.client);
afterEach(() => registries.deleteAll());
afterAll(() => shared.client.destroy());

describeSchemaRegistryContract(
  'GlueSchemaRegistry on moto',
  async () => new GlueSchemaRegistry({ client: shared.client, registryName: await registries.create() }),
  { listSchemaNames: 'moto 5.2.5 does not implement Glue ListSchemas (it answers HTTP 500)' },
);

const NAME = 'glue.shop.Ordered';
const V1 = JSON.stringify({ type: 'record', name: 'Ordered', namespace: 'glue.shop', fields: [{ name: 'id', type: 'string' }] });
const V2 = JSON.stringify({ type: 'record', name: 'Ordered', namespace: 'glue.shop', fields: [{ name: 'id', type: 'string' }, { name: 'note', type: 'string', default: '' }] });

describe('GlueSchemaRegistry on moto', () => {
  it('stores compact key-sorted JSON, so a whitespace variant finds the same version through GetSchemaByDefinition', async () => {
    // given a version registered through one adapter
    const registryName = await registries.create();
    const registered = await new GlueSchemaRegistry({ client: shared.client, registryName }).register(NAME, V1);
    // when a second adapter (cold caches) registers the same schema laid out differently
    const counting = countingGlueClient(REGION);
    const again = await new GlueSchemaRegistry({ client: counting.client, registryName }).register(NAME, JSON.stringify(JSON.parse(V1), null, 4));
    // then Glue holds the canonical text, the lookup found it, and nothing was registered
    const byDefinition = await shared.client.send(new GetSchemaByDefinitionCommand({ SchemaId: { RegistryName: registryName, SchemaName: NAME }, SchemaDefinition: glueDefinitionText(V1) }));
    expect(byDefinition.SchemaVersionId).toBe(registered.schemaVersionId);
    expect(again).toEqual(registered);
    expect(counting.calls('GetSchemaByDefinitionCommand')).toBe(1);
    expect(counting.calls('RegisterSchemaVersionCommand') + counting.calls('CreateSchemaCommand')).toBe(0);
    counting.client.destroy();
  });

  it('loses nothing of the definition: logical types, enum defaults and custom attributes reach Glue', async () => {
    // given a definition with what avsc's canonical export drops
    const registryName = await registries.create();
    const rich = {
      type: 'record',
      name: 'Ordered',
      namespace: 'glue.shop',
      'x-owner': 'orders-team',
      fields: [
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'state', type: { type: 'enum', name: 'State', symbols: ['OPEN', 'UNKNOWN'], default: 'UNKNOWN' } },
      ],
    };
    // when
    const registered = await new GlueSchemaRegistry({ client: shared.client, registryName }).register(NAME, JSON.stringify(rich));
    // then
    const stored = await shared.client.send(new GetSchemaVersionCommand({ SchemaVersionId: registered.schemaVersionId }));
    expect(JSON.parse(stored.SchemaDefinition ?? '')).toEqual(rich);
  });

  it('finds a version written with another key order or namespace spelling without registering a new one', async () => {
    // given
    const registryName = await registries.create();
    const registry = new GlueSchemaRegistry({ client: shared.client, registryName });
    const v1 = await registry.register(NAME, V1);
    const spelledOut = JSON.stringify({ fields: [{ type: 'string', name: 'id' }], name: 'glue.shop.Ordered', type: 'record' });
    // when
    const found = await new GlueSchemaRegistry({ client: shared.client, registryName }).findByDefinition(NAME, spelledOut);
    const again = await new GlueSchemaRegistry({ client: shared.client, registryName }).register(NAME, spelledOut);
    // then
    expect(found).toEqual(v1);
    expect(again).toEqual(v1);
    expect(await registry.listVersions(NAME)).toEqual([v1]);
  });

  it('creates a schema with its compatibility mode and changes it with UpdateSchema', async () => {
    // given
    const registryName = await registries.create();
    const registry = new GlueSchemaRegistry({ client: shared.client, registryName });
    // when
    await registry.register(NAME, V1, { compatibility: 'FULL_ALL' });
    const created = await shared.client.send(new GetSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: NAME } }));
    await registry.setCompatibility(NAME, 'FORWARD');
    const updated = await shared.client.send(new GetSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: NAME } }));
    // then
    expect(created.Compatibility).toBe('FULL_ALL');
    expect(updated.Compatibility).toBe('FORWARD');
    expect(await registry.getCompatibility(NAME)).toBe('FORWARD');
  });

  it('checks compatibility itself before registering, so moto (which checks nothing) never stores a breaking version', async () => {
    // given
    const registryName = await registries.create();
    const counting = countingGlueClient(REGION);
    const registry = new GlueSchemaRegistry({ client: counting.client, registryName });
    await registry.register(NAME, V1);
    const breaking = JSON.stringify({ type: 'record', name: 'Ordered', namespace: 'glue.shop', fields: [{ name: 'id', type: 'string' }, { name: 'count', type: 'int' }] });
    // when
    const registering = registry.register(NAME, breaking);
    // then
    await expect(registering).rejects.toMatchObject({ code: 'INCOMPATIBLE_SCHEMA', details: expect.objectContaining({ field: 'count', rule: 'FIELD_ADDED_WITHOUT_DEFAULT' }) });
    expect(counting.calls('RegisterSchemaVersionCommand')).toBe(0);
    const schema = await shared.client.send(new GetSchemaCommand({ SchemaId: { RegistryName: registryName, SchemaName: NAME } }));
    expect(schema.LatestSchemaVersion).toBe(1);
    counting.client.destroy();
  });

  it('answers the second lookup of a version id from its cache, without calling Glue', async () => {
    // given a version registered by another process (this adapter's caches are cold)
    const registryName = await registries.create();
    const { schemaVersionId } = await new GlueSchemaRegistry({ client: shared.client, registryName }).register(NAME, V1);
    const counting = countingGlueClient(REGION);
    const registry = new GlueSchemaRegistry({ client: counting.client, registryName });
    // when
    const first = await registry.getByVersionId(schemaVersionId);
    const second = await registry.getByVersionId(schemaVersionId.toUpperCase());
    // then
    expect(second).toEqual(first);
    expect(counting.calls('GetSchemaVersionCommand')).toBe(1);
    counting.client.destroy();
  });

  it('answers a repeated definition lookup from its cache, without calling Glue', async () => {
    // given
    const registryName = await registries.create();
    const counting = countingGlueClient(REGION);
    const registry = new GlueSchemaRegistry({ client: counting.client, registryName });
    const v2 = await (async () => {
      await registry.register(NAME, V1);
      return registry.register(NAME, V2);
    })();
    const before = counting.calls('GetSchemaByDefinitionCommand') + counting.calls('GetSchemaVersionCommand');
    // when
    const found = await registry.findByDefinition(NAME, V2);
    const again = await registry.register(NAME, V2);
    // then
    expect(found).toEqual(v2);
    expect(again).toEqual(v2);
    expect(counting.calls('GetSchemaByDefinitionCommand') + counting.calls('GetSchemaVersionCommand')).toBe(before);
    counting.client.destroy();
  });

  it('keeps entries for a bounded time: after the TTL a lookup asks Glue again', async () => {
    // given a cache that trusts an entry for 1 ms
    const registryName = await registries.create();
    const { schemaVersionId } = await new GlueSchemaRegistry({ client: shared.client, registryName }).register(NAME, V1);
    const counting = countingGlueClient(REGION);
    const registry = new GlueSchemaRegistry({ client: counting.client, registryName, cacheTtlMs: 1 });
    await registry.getByVersionId(schemaVersionId);
    // when the entry has expired
    await new Promise((resolve) => setTimeout(resolve, 20));
    await registry.getByVersionId(schemaVersionId);
    // then
    expect(counting.calls('GetSchemaVersionCommand')).toBe(2);
    counting.client.destroy();
  });

  it('keeps at most cacheSize versions: the least recently used one is asked for again', async () => {
    // given a cache of one entry and two versions
    const registryName = await registries.create();
    const writer = new GlueSchemaRegistry({ client: shared.client, registryName });
    const v1 = await writer.register(NAME, V1);
    const v2 = await writer.register(NAME, V2);
    const counting = countingGlueClient(REGION);
    const registry = new GlueSchemaRegistry({ client: counting.client, registryName, cacheSize: 1 });
    // when
    await registry.getByVersionId(v1.schemaVersionId);
    await registry.getByVersionId(v2.schemaVersionId);
    await registry.getByVersionId(v1.schemaVersionId);
    // then
    expect(counting.calls('GetSchemaVersionCommand')).toBe(3);
    counting.client.destroy();
  });

  it('gives one version to two writers creating the same schema at once', async () => {
    // given two adapters (two processes) and a schema neither has created
    const registryName = await registries.create();
    const a = new GlueSchemaRegistry({ client: shared.client, registryName });
    const b = new GlueSchemaRegistry({ client: shared.client, registryName });
    // when
    const [fromA, fromB] = await Promise.all([a.register(NAME, V1), b.register(NAME, V1)]);
    // then
    expect(fromB).toEqual(fromA);
    expect(await a.listVersions(NAME)).toEqual([fromA]);
  });

  it('registers the next version after another writer created the schema', async () => {
    // given a schema created directly in Glue, unknown to this adapter
    const registryName = await registries.create();
    await shared.client.send(
      new CreateSchemaCommand({ RegistryId: { RegistryName: registryName }, SchemaName: NAME, DataFormat: 'AVRO', Compatibility: 'BACKWARD', SchemaDefinition: canonicalSchema(V1) }),
    );
    const registry = new GlueSchemaRegistry({ client: shared.client, registryName });
    // when
    const v2 = await registry.register(NAME, V2);
    // then
    expect(v2.version).toBe(2);
    expect((await registry.listVersions(NAME)).map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses to register into a registry that does not exist, naming it', async () => {
    // given
    const registryName = uniqueName('nexus-missing');
    const registry = new GlueSchemaRegistry({ client: shared.client, registryName });
    // when
    const registering = registry.register(NAME, V1);
    // then
    await expect(registering).rejects.toMatchObject({ code: 'GLUE_REGISTRY_NOT_FOUND', details: { registryName } });
  });

  it('retries a throttled call and carries on', async () => {
    // given a version, and a proxy that throttles the first two GetSchemaVersion calls
    const registryName = await registries.create();
    const { schemaVersionId } = await new GlueSchemaRegistry({ client: shared.client, registryName }).register(NAME, V1);
    let throttled = 0;
    const proxy = await startGlueThrottlingProxy(motoEndpoint(), (operation) => operation === 'GetSchemaVersion' && throttled++ < 2);
    const client = countingGlueClient(REGION, proxy.endpoint);
    const registry = new GlueSchemaRegistry({ client: client.client, registryName, retry: { initialBackoffMs: 1, maxBackoffMs: 2 } });
    // when
    const found = await registry.getByVersionId(schemaVersionId);
    // then
    expect(found.version).toBe(1);
    expect(proxy.received.filter((operation) => operation === 'GetSchemaVersion')).toHaveLength(3);
    client.client.destroy();
    await proxy.close();
  });

  it('turns throttling that outlasts every retry into SCHEMA_REGISTRY_UNAVAILABLE, keeping the SDK error as cause', async () => {
    // given a proxy that throttles every call
    const proxy = await startGlueThrottlingProxy(motoEndpoint(), () => true);
    const client = countingGlueClient(REGION, proxy.endpoint);
    const registry = new GlueSchemaRegistry({ client: client.client, registryName: 'any', retry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 } });
    // when
    const reading = registry.getByVersionId('00000000-0000-4000-8000-000000000000');
    // then
    await expect(reading).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_UNAVAILABLE',
      cause: expect.objectContaining({ code: 'AWS_RETRIES_EXHAUSTED', cause: expect.objectContaining({ name: 'ThrottlingException' }) }),
    });
    expect(proxy.received).toEqual(['GetSchemaVersion', 'GetSchemaVersion', 'GetSchemaVersion']);
    client.client.destroy();
    await proxy.close();
  });
});
