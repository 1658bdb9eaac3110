import { Type } from 'avsc';
import Database from 'better-sqlite3';
import { SqliteSchemaRegistry } from '../../../adapters/embedded/SqliteSchemaRegistry';
import { AvroEventCodec } from '../../../core/schema/AvroEventCodec';
import { encodeGlueFrame } from '../../../core/wire/GlueWireFormat';
import { JAVA_LIKE_LONG } from './javaLikeLong';

const SCHEMA = {
  type: 'record',
  name: 'test.telemetry.Measured',
  fields: [
    { name: 'sensorId', type: 'long' },
    { name: 'readings', type: { type: 'array', items: 'long' } },
    { name: 'nanos', type: ['null', 'long'], default: null },
  ],
};

async function codecWithLongSchema(): Promise<{ codec: AvroEventCodec; schemaVersionId: string }> {
  const registry = new SqliteSchemaRegistry(new Database(':memory:'));
  const registered = await registry.register(SCHEMA.name, JSON.stringify(SCHEMA));
  return { codec: new AvroEventCodec(registry), schemaVersionId: registered.schemaVersionId };
}

describe('AvroEventCodec with Avro longs', () => {
  it('decodes a long of 2^60 written by a Java-like producer without loss', async () => {
    // given: a frame written with a writer whose longs are 64-bit, as Java's
    const { codec, schemaVersionId } = await codecWithLongSchema();
    const javaWriter = Type.forSchema(SCHEMA as Parameters<typeof Type.forSchema>[0], { registry: { long: JAVA_LIKE_LONG } });
    const datum = javaWriter.toBuffer({ sensorId: 2n ** 60n, readings: [1n, -(2n ** 62n), 2n ** 63n - 1n], nanos: 1_700_000_000_123_456_789n });
    const bytes = encodeGlueFrame(schemaVersionId, datum);
    // when
    const decoded = await codec.decode(bytes);
    // then
    expect(decoded.payload).toEqual({ sensorId: 2n ** 60n, readings: [1, -(2n ** 62n), 2n ** 63n - 1n], nanos: 1_700_000_000_123_456_789n });
  });

  it('encodes bigints and numbers alike, bytes a Java-like reader reads back', async () => {
    // given
    const { codec } = await codecWithLongSchema();
    const javaReader = Type.forSchema(SCHEMA as Parameters<typeof Type.forSchema>[0], { registry: { long: JAVA_LIKE_LONG } });
    // when
    const encoded = await codec.encode('Measured', { sensorId: 2n ** 60n, readings: [7, 2n ** 53n], nanos: null });
    // then
    expect(javaReader.fromBuffer(encoded.bytes.subarray(18))).toEqual({ sensorId: 2n ** 60n, readings: [7n, 2n ** 53n], nanos: null });
    expect((await codec.decode(encoded.bytes)).payload).toEqual({ sensorId: 2n ** 60n, readings: [7, 2n ** 53n], nanos: null });
  });

  it('refuses an unsafe number for a long, naming the field and the type long', async () => {
    // given: 2^60 as a JavaScript number has already lost its low bits
    const { codec } = await codecWithLongSchema();
    // when
    const encoding = codec.encode('Measured', { sensorId: 2 ** 60, readings: [], nanos: null });
    // then
    await expect(encoding).rejects.toMatchObject({
      code: 'INVALID_EVENT_PAYLOAD',
      details: expect.objectContaining({ field: 'sensorId', reason: expect.stringContaining('expected long') }),
    });
  });
});
