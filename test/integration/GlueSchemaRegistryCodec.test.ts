import { GetSchemaVersionCommand } from '@aws-sdk/client-glue';
import { join } from 'node:path';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import type { EventEnvelope } from '../../core/events/EventEnvelope';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { decodeGlueFrame } from '../../core/wire/GlueWireFormat';
import { countingGlueClient, testRegistries } from './GlueSchemaRegistryTestClient';

const REGION = 'eu-west-3';
const SCHEMAS = join(__dirname, '..', '..', 'schemas');
const glue = countingGlueClient(REGION);
const registries = testRegistries(glue.client, 'nexus-codec');

afterEach(() => registries.deleteAll());
afterAll(() => glue.client.destroy());

// Event types are given by full schema name: resolving a short name (`OrderPlaced`) lists the
// registry's schemas, and moto 5.2.5 does not serve Glue's ListSchemas.
const ORDER_PLACED = 'nexus.order.OrderPlaced';

function orderPlaced(): Record<string, unknown> {
  return { orderId: 'order-1', customerId: 'customer-1', items: [{ sku: 'sku-1', quantity: 2, unitPrice: 9.5 }], total: { amount: 19, currency: 'EUR' } };
}

/** The repository's schemas/ registered into a new Glue registry, as a deployment does. */
async function glueRegistryWithOrderSchemas(): Promise<{ registry: GlueSchemaRegistry; registryName: string }> {
  const registryName = await registries.create();
  const registry = new GlueSchemaRegistry({ client: glue.client, registryName });
  await syncSchemas(registry, loadSchemaCatalog(SCHEMAS));
  return { registry, registryName };
}

async function versionIdInGlue(registryName: string, schemaName: string, versionNumber: number): Promise<string | undefined> {
  const answer = await glue.client.send(new GetSchemaVersionCommand({ SchemaId: { RegistryName: registryName, SchemaName: schemaName }, SchemaVersionNumber: { VersionNumber: versionNumber } }));
  return answer.SchemaVersionId;
}

describe('AvroEventCodec over GlueSchemaRegistry (moto)', () => {
  it('encodes an OrderPlaced in a frame that carries the Glue version UUID, and another process decodes it', async () => {
    // given the Order schemas registered in Glue, a writer and a reader with their own codecs
    const { registry, registryName } = await glueRegistryWithOrderSchemas();
    const writer = new AvroEventCodec(registry);
    const reader = new AvroEventCodec(new GlueSchemaRegistry({ client: glue.client, registryName }));
    // when
    const encoded = await writer.encode(ORDER_PLACED, orderPlaced());
    const decoded = await reader.decode(encoded.bytes);
    // then
    const v2Id = await versionIdInGlue(registryName, ORDER_PLACED, 2);
    expect(decodeGlueFrame(encoded.bytes).schemaVersionId).toBe(v2Id);
    expect(encoded).toMatchObject({ schemaName: ORDER_PLACED, schemaVersion: 2, schemaVersionId: v2Id });
    expect(decoded).toEqual({ eventType: 'OrderPlaced', schemaName: ORDER_PLACED, schemaVersion: 2, schemaVersionId: v2Id, payload: orderPlaced() });
  });

  it('decodes an event written with an older version by that version', async () => {
    // given
    const { registry, registryName } = await glueRegistryWithOrderSchemas();
    const codec = new AvroEventCodec(registry);
    const v1 = { orderId: 'order-1', customerId: 'customer-1', items: [], totalAmount: 12 };
    // when
    const decoded = await codec.decode((await codec.encode(ORDER_PLACED, v1, 1)).bytes);
    // then
    expect(decoded).toMatchObject({ schemaVersion: 1, schemaVersionId: await versionIdInGlue(registryName, ORDER_PLACED, 1), payload: v1 });
  });

  it('wraps the payload in an envelope framed with the envelope schema registered in Glue', async () => {
    // given
    const { registry, registryName } = await glueRegistryWithOrderSchemas();
    const codec = new AvroEventCodec(registry);
    const payload = (await codec.encode(ORDER_PLACED, orderPlaced())).bytes;
    const envelope: EventEnvelope = {
      eventId: 'event-1',
      eventType: 'OrderPlaced',
      schemaVersion: 2,
      aggregateType: 'Order',
      aggregateId: 'order-1',
      aggregateVersion: 1,
      occurredAt: '2024-01-01T00:00:00.000Z',
      correlationId: 'correlation-1',
      causationId: null,
      metadata: { tenant: 'acme' },
      payload,
    };
    // when
    const bytes = await codec.encodeEnvelope(envelope);
    const decoded = await new AvroEventCodec(new GlueSchemaRegistry({ client: glue.client, registryName })).decodeEnvelope(bytes);
    // then
    expect(decodeGlueFrame(bytes).schemaVersionId).toBe(await versionIdInGlue(registryName, 'nexus.EventEnvelope', 1));
    expect(decoded).toEqual(envelope);
  });

  it('decodes a version a second time without calling Glue, even through another codec sharing the registry', async () => {
    // given a frame, and a registry whose caches are cold
    const { registry, registryName } = await glueRegistryWithOrderSchemas();
    const bytes = (await new AvroEventCodec(registry).encode(ORDER_PLACED, orderPlaced())).bytes;
    const counting = countingGlueClient(REGION);
    const shared = new GlueSchemaRegistry({ client: counting.client, registryName });
    // when two pipelines of one process decode it with codecs of their own over the shared registry
    await new AvroEventCodec(shared).decode(bytes);
    await new AvroEventCodec(shared).decode(bytes);
    // then
    expect(counting.calls('GetSchemaVersionCommand')).toBe(1);
    counting.client.destroy();
  });
});
