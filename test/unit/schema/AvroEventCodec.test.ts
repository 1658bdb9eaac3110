import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../../adapters/embedded/SqliteSchemaRegistry';
import { AvroEventCodec } from '../../../core/schema/AvroEventCodec';
import type { EventEnvelope } from '../../../core/events/EventEnvelope';
import type { SchemaRegistry } from '../../../core/schema/SchemaRegistry';
import { decodeGlueFrame } from '../../../core/wire/GlueWireFormat';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';

function orderPlacedV2(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: 'order-1',
    customerId: 'customer-1',
    items: [{ sku: 'sku-1', quantity: 2, unitPrice: 9.5 }],
    total: { amount: 19, currency: 'EUR' },
    ...overrides,
  };
}

function envelope(payload: Buffer): EventEnvelope {
  return {
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
}

/** Counts lookups on a real registry, to observe the codec's caching. */
function countingRegistry(inner: SchemaRegistry): { registry: SchemaRegistry; byIdCalls: () => number } {
  let calls = 0;
  const registry = Object.create(inner) as SchemaRegistry;
  registry.getByVersionId = (id) => {
    calls++;
    return inner.getByVersionId(id);
  };
  return { registry, byIdCalls: () => calls };
}

describe('AvroEventCodec', () => {
  it('encodes against the latest version and decodes with the writer schema', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    // when
    const encoded = await codec.encode('OrderPlaced', orderPlacedV2());
    const decoded = await codec.decode(encoded.bytes);
    // then
    expect(encoded).toMatchObject({ eventType: 'OrderPlaced', schemaName: 'nexus.order.OrderPlaced', schemaVersion: 2 });
    expect(decoded).toMatchObject({ eventType: 'OrderPlaced', schemaVersion: 2, schemaVersionId: encoded.schemaVersionId });
    expect(decoded.payload).toEqual(orderPlacedV2());
  });

  it('resolves a short event type among the names it was given, without listing the registry', async () => {
    // given a codec told the catalog's schema names, over a registry that counts its listings
    const { registry, catalog } = await createSchemaEnvironment();
    let listings = 0;
    const counted = Object.create(registry) as SchemaRegistry;
    counted.listSchemaNames = async () => {
      listings++;
      return registry.listSchemaNames();
    };
    const codec = new AvroEventCodec(counted, { schemaNames: catalog.schemaNames() });
    // when
    const encoded = await codec.encode('OrderPlaced', orderPlacedV2());
    // then
    expect(encoded.schemaName).toBe('nexus.order.OrderPlaced');
    expect((await codec.decode(encoded.bytes)).eventType).toBe('OrderPlaced');
    expect(listings).toBe(0);
  });

  it('keeps an older version as written instead of resolving it to the latest', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    const v1 = { orderId: 'order-1', customerId: 'customer-1', items: [], totalAmount: 12.5 };
    // when
    const decoded = await codec.decode((await codec.encode('OrderPlaced', v1, 1)).bytes);
    // then
    expect(decoded.schemaVersion).toBe(1);
    expect(decoded.payload).toEqual(v1);
  });

  it('writes zlib frames when configured', async () => {
    // given
    const { codec } = await createSchemaEnvironment({ codec: { compression: 'zlib' } });
    // when
    const encoded = await codec.encode('OrderPlaced', orderPlacedV2());
    // then
    expect(decodeGlueFrame(encoded.bytes).compression).toBe('zlib');
    expect((await codec.decode(encoded.bytes)).payload).toEqual(orderPlacedV2());
  });

  it.each([
    ['a wrong type in an array item', orderPlacedV2({ items: [{ sku: 's', quantity: 1, unitPrice: 1 }, { sku: 's', quantity: 'two', unitPrice: 1 }] }), 'items[1].quantity'],
    ['a missing required field', { orderId: 'order-1', items: [], total: { amount: 1, currency: 'EUR' } }, 'customerId'],
    ['a missing nested field', orderPlacedV2({ total: { amount: 1 } }), 'total.currency'],
  ])('refuses %s, naming event type, version and field', async (_case, payload, field) => {
    // given
    const { codec } = await createSchemaEnvironment();
    // when
    const encoding = codec.encode('OrderPlaced', payload);
    // then
    await expect(encoding).rejects.toMatchObject({
      code: 'INVALID_EVENT_PAYLOAD',
      details: expect.objectContaining({ eventType: 'OrderPlaced', schemaVersion: 2, field, reason: expect.any(String) }),
      message: expect.stringMatching(new RegExp(`OrderPlaced v2 .*field ${field.replace(/[[\]]/g, '\\$&')}`)),
    });
  });

  it('refuses fields the schema does not declare', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    // when
    const encoding = codec.encode('OrderPlaced', orderPlacedV2({ totalAmount: 19 }));
    // then
    await expect(encoding).rejects.toMatchObject({ code: 'INVALID_EVENT_PAYLOAD', details: expect.objectContaining({ reason: expect.stringContaining('totalAmount') }) });
  });

  it('refuses a string holding a lone surrogate, naming its field, in payloads and envelopes', async () => {
    // given text that UTF-8 cannot carry, deep in a payload and in an envelope's metadata
    const { codec } = await createSchemaEnvironment();
    const { bytes } = await codec.encode('OrderPlaced', orderPlacedV2());
    // when
    const payload = codec.encode('OrderPlaced', orderPlacedV2({ items: [{ sku: 'sku-1', quantity: 1, unitPrice: 1 }, { sku: 'a\ud800', quantity: 1, unitPrice: 1 }] }));
    const wrapped = codec.encodeEnvelope({ ...envelope(bytes), metadata: { note: '\udfff' } });
    // then both are refused before anything is written, with the offending field
    await expect(payload).rejects.toMatchObject({ code: 'INVALID_EVENT_PAYLOAD', details: expect.objectContaining({ field: 'items[1].sku', reason: expect.stringContaining('lone UTF-16 surrogate') }) });
    await expect(wrapped).rejects.toMatchObject({ code: 'INVALID_EVENT_PAYLOAD', details: expect.objectContaining({ field: 'metadata.note' }) });
  });

  it('refuses unregistered event types and versions', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    // when / then
    await expect(codec.encode('OrderShipped', {})).rejects.toMatchObject({ code: 'UNREGISTERED_EVENT', details: { eventType: 'OrderShipped', schemaVersion: undefined } });
    await expect(codec.encode('OrderPlaced', orderPlacedV2(), 3)).rejects.toMatchObject({ code: 'UNREGISTERED_EVENT', details: { eventType: 'OrderPlaced', schemaVersion: 3 } });
    await expect(codec.latestVersion('OrderShipped')).rejects.toMatchObject({ code: 'UNREGISTERED_EVENT' });
  });

  it('refuses a short event type that matches several schemas', async () => {
    // given
    const registry = new SqliteSchemaRegistry(new Database(':memory:'));
    for (const namespace of ['a', 'b']) await registry.register(`${namespace}.Placed`, JSON.stringify({ type: 'record', name: `${namespace}.Placed`, fields: [] }));
    const codec = new AvroEventCodec(registry);
    // when
    const encoding = codec.encode('Placed', {});
    // then
    await expect(encoding).rejects.toMatchObject({ code: 'AMBIGUOUS_EVENT_TYPE' });
    expect((await codec.encode('b.Placed', {})).schemaName).toBe('b.Placed');
  });

  it('round-trips an envelope, with null causation and metadata', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    const payload = (await codec.encode('OrderPlaced', orderPlacedV2())).bytes;
    const original = envelope(payload);
    // when
    const decoded = await codec.decodeEnvelope(await codec.encodeEnvelope(original));
    const withCause = await codec.decodeEnvelope(await codec.encodeEnvelope({ ...original, causationId: 'event-0' }));
    // then
    expect(decoded).toStrictEqual(original);
    expect(withCause.causationId).toBe('event-0');
    expect((await codec.decode(decoded.payload)).payload).toEqual(orderPlacedV2());
  });

  it('refuses to read an event payload as an envelope', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    const payload = (await codec.encode('OrderPlaced', orderPlacedV2())).bytes;
    // when
    const decoding = codec.decodeEnvelope(payload);
    // then
    await expect(decoding).rejects.toMatchObject({ code: 'NOT_AN_ENVELOPE' });
  });

  it('refuses a frame whose datum does not decode with its schema', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    const bytes = (await codec.encode('OrderPlaced', orderPlacedV2())).bytes;
    // when
    const decoding = codec.decode(bytes.subarray(0, bytes.length - 3));
    // then
    await expect(decoding).rejects.toMatchObject({ code: 'INVALID_EVENT_DATUM' });
  });

  it('serves warm decodes from its cache and evicts beyond its size', async () => {
    // given
    const { registry: inner, codec: writer } = await createSchemaEnvironment();
    const placed = (await writer.encode('OrderPlaced', orderPlacedV2())).bytes;
    const cancelled = (await writer.encode('OrderCancelled', { orderId: 'o', reason: 'r', cancelledAt: 't' })).bytes;
    const roomy = countingRegistry(inner);
    const tiny = countingRegistry(inner);
    const roomyCodec = new AvroEventCodec(roomy.registry);
    const tinyCodec = new AvroEventCodec(tiny.registry, { cacheSize: 1 });
    // when
    for (const bytes of [placed, cancelled, placed, cancelled, placed]) {
      await roomyCodec.decode(bytes);
      await tinyCodec.decode(bytes);
    }
    // then
    expect(roomy.byIdCalls()).toBe(2);
    expect(tiny.byIdCalls()).toBe(5);
  });

  it('makes one registry lookup for concurrent decodes of an uncached version', async () => {
    // given
    const { registry: inner, codec: writer } = await createSchemaEnvironment();
    const bytes = (await writer.encode('OrderPlaced', orderPlacedV2())).bytes;
    const counting = countingRegistry(inner);
    const codec = new AvroEventCodec(counting.registry);
    // when
    await Promise.all(Array.from({ length: 10 }, () => codec.decode(bytes)));
    // then
    expect(counting.byIdCalls()).toBe(1);
  });
});
