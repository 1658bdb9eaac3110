import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { of } from 'rxjs';
import { SqliteReadModelStore, SqliteStreamLog, SqliteSubscriberQueue, SqliteTopicPublisher } from '../../../adapters/embedded';
import { silentLogger } from '../../../core/logging/Logger';
import { MESSAGING_ERRORS } from '../../../core/messaging/MessagingErrors';
import type { PipelineContext } from '../../../core/pipeline/PipelineDefinition';
import type { SourceRecord } from '../../../core/streams/RecordSource';
import { UpcasterRegistry } from '../../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../../domain';
import { decodeEnvelope, route } from '../../../operators';
import { CORE_STREAM, ORDER_EVENTS_TOPIC, ORDER_NOTICES_QUEUE, topics as declaredTopics } from '../../../pipelines';
import router from '../../../pipelines/router';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';
import type { SchemaEnvironment } from '../../support/schemaEnvironment';
import { orderRecord } from './pipelineFixtures';
import { settle } from './settle';

describe('routing to topics', () => {
  let schemas: SchemaEnvironment;
  let db: Database.Database;
  let streams: SqliteStreamLog;
  let topics: SqliteTopicPublisher;
  let notices: SqliteSubscriberQueue;
  let context: PipelineContext;

  beforeAll(async () => {
    schemas = await createSchemaEnvironment();
  });

  beforeEach(() => {
    db = new Database(':memory:');
    streams = new SqliteStreamLog(db);
    topics = new SqliteTopicPublisher(db, declaredTopics);
    notices = new SqliteSubscriberQueue(db, ORDER_NOTICES_QUEUE);
    context = {
      pipelineName: 'router',
      codec: schemas.codec,
      upcasters: new UpcasterRegistry(orderUpcasters),
      readModels: new SqliteReadModelStore(db),
      publisher: streams,
      topics,
      logger: silentLogger,
    };
  });

  afterEach(() => db.close());
  afterAll(() => schemas.db.close());

  it('the router sends a confirmation to the core stream and the topic, bytes untouched, with the envelope as attributes', async () => {
    // given a stored OrderConfirmed record
    const confirmed = await orderRecord(schemas.codec, { aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderConfirmed' });
    // when the router pipeline runs on it
    const result = await settle(router.pipe(of(confirmed), context));
    // then it is on the core stream and in the notices queue, with its attributes
    expect(result.error).toBeUndefined();
    expect((await streams.source(CORE_STREAM).read(0, 10)).map((r) => r.record)).toEqual([confirmed.record]);
    const [message] = await notices.receive(10);
    expect(message?.body.equals(confirmed.record)).toBe(true);
    expect(message?.groupKey).toBe('order-1');
    expect(message?.attributes).toMatchObject({ eventType: 'OrderConfirmed', aggregateId: 'order-1', aggregateType: 'Order', schemaVersion: '1' });
  });

  it('the router keeps a placed order off the topic', async () => {
    // given a stored OrderPlaced record
    const placed = await orderRecord(schemas.codec, { aggregateId: 'order-1' });
    // when the router runs on it
    await settle(router.pipe(of(placed), context));
    // then only the core stream has it
    expect(await streams.source(CORE_STREAM).read(0, 10)).toHaveLength(1);
    expect(await notices.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('the router routes on the envelope alone: a payload it could not decode is still routed', async () => {
    // given an OrderConfirmed envelope whose payload bytes are not Avro of any registered schema
    const record = await confirmedWithPayload(schemas, Buffer.from('not an avro datum'));
    // when the router runs on it
    const result = await settle(router.pipe(of(record), context));
    // then it was routed to both paths without error
    expect(result.error).toBeUndefined();
    expect(await streams.source(CORE_STREAM).read(0, 10)).toHaveLength(1);
    expect((await notices.depth()).visible).toBe(1);
  });

  it('fails an event routed to a topic when no topic publisher is wired, publishing nothing', async () => {
    // given only a stream publisher
    const confirmed = await orderRecord(schemas.codec, { eventType: 'OrderConfirmed' });
    // when routing a confirmation to stream and topic
    const result = await settle(of(confirmed).pipe(decodeEnvelope(schemas.codec), route({ streams }, () => ({ streams: [CORE_STREAM], topics: [ORDER_EVENTS_TOPIC] }))));
    // then it fails with the named error and the stream got nothing either
    expect(result.error).toMatchObject({ code: MESSAGING_ERRORS.NO_TOPIC_PUBLISHER });
    expect(await streams.source(CORE_STREAM).read(0, 10)).toEqual([]);
  });
});

async function confirmedWithPayload(schemas: SchemaEnvironment, payload: Buffer): Promise<SourceRecord> {
  const record = await schemas.codec.encodeEnvelope({
    eventId: randomUUID(),
    eventType: 'OrderConfirmed',
    schemaVersion: 1,
    aggregateType: 'Order',
    aggregateId: 'order-9',
    aggregateVersion: 2,
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: null,
    metadata: {},
    payload,
  });
  return { position: 1, key: 'order-9', record };
}
