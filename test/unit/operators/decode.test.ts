import { Subject, concat, from, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EVENT_TYPE_MISMATCH, decode } from '../../../operators';
import { AvroEventCodec } from '../../../core/schema/AvroEventCodec';
import type { EventCodec } from '../../../core/schema/EventCodec';
import type { SchemaRegistry } from '../../../core/schema/SchemaRegistry';
import type { PipelineEvent } from '../../../core/pipeline/PipelineEvent';
import type { SourceRecord } from '../../../core/streams/RecordSource';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
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

describe('decode', () => {
  let codec: EventCodec;
  let registry: SchemaRegistry;

  beforeAll(async () => {
    ({ codec, registry } = await createSchemaEnvironment());
  });

  it('decodes envelope and payload with the writer schema, in order, keeping the source record', async () => {
    // given
    const placed = await orderRecord(codec, { aggregateId: 'order-1', schemaVersion: 1, payload: { orderId: 'order-1', customerId: 'c-1', items: [], totalAmount: 12 } });
    const cancelled = await orderRecord(codec, { aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderCancelled', position: 2 });
    // when
    const result = await settle(from([placed, cancelled]).pipe(decode(codec)));
    // then
    expect(result.completed).toBe(true);
    expect(result.values.map((event) => [event.eventType, event.schemaVersion, event.envelope.aggregateVersion])).toEqual([
      ['OrderPlaced', 1, 1],
      ['OrderCancelled', 1, 2],
    ]);
    expect(result.values[0]?.payload).toEqual({ orderId: 'order-1', customerId: 'c-1', items: [], totalAmount: 12 });
    expect(result.values[1]?.source).toBe(cancelled);
    expect(result.values[1]?.envelope).not.toHaveProperty('payload');
  });

  it('keeps the order when a record waits for the registry and those after it are warm', async () => {
    // given a codec that has cached OrderCancelled's schemas but not OrderPlaced's
    const cold = new AvroEventCodec(registry);
    const placed = await orderRecord(codec, { aggregateId: 'order-7' });
    const cancelled = await orderRecord(codec, { aggregateId: 'order-7', aggregateVersion: 2, eventType: 'OrderCancelled', position: 2 });
    const cancelledAgain = await orderRecord(codec, { aggregateId: 'order-8', aggregateVersion: 2, eventType: 'OrderCancelled', position: 3 });
    await cold.decode((await cold.decodeEnvelope(cancelled.record)).payload);
    const records = new Subject<SourceRecord>();
    // when the cold record comes first and the warm ones arrive while it is being decoded
    const settled = settle(records.pipe(decode(cold)));
    records.next(placed);
    records.next(cancelled);
    records.next(cancelledAgain);
    records.complete();
    const result = await settled;
    // then every record is emitted, in the source's order, and the output completes after the last
    expect(result.values.map((event) => event.envelope.aggregateId + ' ' + event.eventType)).toEqual(['order-7 OrderPlaced', 'order-7 OrderCancelled', 'order-8 OrderCancelled']);
    expect(result.completed).toBe(true);
  });

  it('forwards a source error at once, dropping the decode in flight', async () => {
    // given
    const placed = await orderRecord(codec);
    const source = concat(of(placed), throwError(() => new Error('source failed')));
    // when
    const result = await settle(source.pipe(decode(asyncOnly(codec))));
    // then
    expect(result.values).toEqual([]);
    expect(result.error).toEqual(new Error('source failed'));
  });

  it('decodes synchronously once the codec has the schemas cached, so records before a source error are emitted', async () => {
    // given: a warm codec (the record was decoded once)
    const placed = await orderRecord(codec);
    await codec.decode((await codec.decodeEnvelope(placed.record)).payload);
    const source = concat(of(placed), throwError(() => new Error('source failed')));
    // when
    const result = await settle(source.pipe(decode(codec)));
    // then
    expect(result.values.map((event) => event.eventType)).toEqual(['OrderPlaced']);
    expect(result.error).toEqual(new Error('source failed'));
  });

  it('errors with MALFORMED_FRAME on bytes that are not a Glue frame, and decodes nothing after them', async () => {
    // given
    const garbage: SourceRecord = { position: 1, key: 'order-1', record: Buffer.from('not a frame') };
    const placed = await orderRecord(codec, { position: 2 });
    // when
    const result = await settle(from([garbage, placed]).pipe(decode(codec)));
    // then
    expect(result.values).toEqual([]);
    expect(result.error).toMatchObject({ code: 'MALFORMED_FRAME' });
  });

  it('errors when the payload type differs from the type the envelope announces', async () => {
    // given
    const placed = await orderRecord(codec);
    const envelope = await codec.decodeEnvelope(placed.record);
    const lying = { ...placed, record: await codec.encodeEnvelope({ ...envelope, eventType: 'OrderCancelled' }) };
    // when
    const result = await settle(of(lying).pipe(decode(codec)));
    // then
    expect(result.error).toMatchObject({ code: EVENT_TYPE_MISMATCH });
  });

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // given
      const source = cold<SourceRecord>('|');
      // when
      const result = source.pipe(decode(codec));
      // then
      expectObservable(result).toBe('|');
    });
  });

  it('unsubscribes from the source when the consumer unsubscribes early', () => {
    testScheduler().run(({ hot, expectSubscriptions, expectObservable }) => {
      // given
      const source = hot<SourceRecord>('-a-b-c-|');
      // when
      const result = source.pipe(decode(asyncOnly(codec)));
      // then
      expectObservable(result, '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('emits nothing more once unsubscribed, even for a record already taken', async () => {
    // given
    const records = new Subject<SourceRecord>();
    const seen: PipelineEvent[] = [];
    const first = new Promise<void>((resolve) => {
      const subscription = records.pipe(decode(codec)).subscribe((event) => {
        seen.push(event);
        subscription.unsubscribe();
        resolve();
      });
    });
    // when
    records.next(await orderRecord(codec, { position: 1 }));
    records.next(await orderRecord(codec, { position: 2 }));
    await first;
    records.next(await orderRecord(codec, { position: 3 }));
    await new Promise((resolve) => setImmediate(resolve));
    // then
    expect(seen.map((event) => event.source.position)).toEqual([1]);
    expect(records.observed).toBe(false);
  });
});
