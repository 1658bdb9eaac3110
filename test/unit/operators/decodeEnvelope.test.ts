import { concat, from, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { decodeEnvelope } from '../../../operators';
import type { EventCodec } from '../../../core/schema/EventCodec';
import type { SourceRecord } from '../../../core/streams/RecordSource';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { orderRecord } from './pipelineFixtures';
import { settle } from './settle';

/** The same codec seen only through the port: every decode is asynchronous. */
function asyncOnly(codec: EventCodec): EventCodec {
  return {
    encode: (eventType, payload, schemaVersion) => codec.encode(eventType, payload, schemaVersion),
    decode: (bytes) => codec.decode(bytes),
    encodeEnvelope: (envelope) => codec.encodeEnvelope(envelope),
    decodeEnvelope: (bytes) => codec.decodeEnvelope(bytes),
    latestVersion: (eventType) => codec.latestVersion(eventType),
  };
}

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('decodeEnvelope', () => {
  let schemas: SchemaEnvironment;

  beforeAll(async () => {
    schemas = await createSchemaEnvironment();
  });

  afterAll(() => schemas.db.close());

  it('decodes the envelopes in order, keeping the source record and leaving the payload unread', async () => {
    // given a placed and a cancelled record of one order
    const placed = await orderRecord(schemas.codec, { aggregateId: 'order-1' });
    const cancelled = await orderRecord(schemas.codec, { aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderCancelled', position: 2 });
    // when their envelopes are decoded, warm and through the port alone
    for (const codec of [schemas.codec, asyncOnly(schemas.codec)]) {
      const result = await settle(from([placed, cancelled]).pipe(decodeEnvelope(codec)));
      // then each carries its type, envelope and record, and no payload
      expect(result.completed).toBe(true);
      expect(result.values.map((event) => [event.eventType, event.envelope.aggregateVersion])).toEqual([['OrderPlaced', 1], ['OrderCancelled', 2]]);
      expect(result.values[1]?.source).toBe(cancelled);
      expect(result.values[0]?.envelope).not.toHaveProperty('payload');
      expect(result.values[0]).not.toHaveProperty('payload');
    }
  });

  it('decodes an envelope whose payload is not Avro of any schema', async () => {
    // given an envelope carrying bytes that no payload schema can read
    const placed = await orderRecord(schemas.codec);
    const envelope = await schemas.codec.decodeEnvelope(placed.record);
    const opaque = { ...placed, record: await schemas.codec.encodeEnvelope({ ...envelope, payload: Buffer.from('opaque') }) };
    // when decoded
    const result = await settle(of(opaque).pipe(decodeEnvelope(schemas.codec)));
    // then the envelope comes through
    expect(result.values.map((event) => event.envelope.eventId)).toEqual([envelope.eventId]);
  });

  it('errors with MALFORMED_FRAME on bytes that are not a Glue frame, and decodes nothing after them', async () => {
    // given garbage ahead of a good record
    const garbage: SourceRecord = { position: 1, key: 'order-1', record: Buffer.from('not a frame') };
    const placed = await orderRecord(schemas.codec, { position: 2 });
    // when decoded
    const result = await settle(from([garbage, placed]).pipe(decodeEnvelope(schemas.codec)));
    // then the output errors before the good one
    expect(result.values).toEqual([]);
    expect(result.error).toMatchObject({ code: 'MALFORMED_FRAME' });
  });

  it('forwards a source error', async () => {
    // given a source that fails after one record, and a codec that has its envelope schema cached
    const placed = await orderRecord(schemas.codec);
    await schemas.codec.decodeEnvelope(placed.record);
    const source = concat(of(placed), throwError(() => new Error('source failed')));
    // when decoded warm
    const result = await settle(source.pipe(decodeEnvelope(schemas.codec)));
    // then the record before the failure came through and the failure is forwarded
    expect(result.values).toHaveLength(1);
    expect(result.error).toEqual(new Error('source failed'));
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold<SourceRecord>('|');
      // when
      const result = source.pipe(decodeEnvelope(schemas.codec));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectSubscriptions, expectObservable }) => {
      // given
      const source = hot<SourceRecord>('-a-b-c-|');
      // when
      const result = source.pipe(decodeEnvelope(asyncOnly(schemas.codec)));
      // then
      expectObservable(result, '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
