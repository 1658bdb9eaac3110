import Database from 'better-sqlite3';
import { EMPTY, concat, from, of, throwError } from 'rxjs';
import { SqliteNotificationLog } from '../../../adapters/embedded/SqliteNotificationLog';
import { SqliteReadModelStore } from '../../../adapters/embedded/SqliteReadModelStore';
import type { NotificationPublisher } from '../../../core/notifications/DocumentChanged';
import { defineReadModel } from '../../../core/readmodel/ReadModelDeclaration';
import type { ReadModelCollection } from '../../../core/readmodel/ReadModelStore';
import { notify, project } from '../../../operators';
import type { ProjectionReducer } from '../../../operators';
import { pipelineEvent } from './pipelineFixtures';
import { settle } from './settle';

interface Order {
  customerId: string;
  lines: number;
}

const orders = defineReadModel({ resourceType: 'orders', documentType: 'order', ownerField: 'customerId', fields: { customerId: { type: 'string' } } });
const reducer: ProjectionReducer<Order> = (current, event) => {
  if (event.eventType === 'OrderCancelled') return null;
  return { customerId: 'alice', lines: (current?.lines ?? 0) + 1 };
};
const placed = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 1 });
const added = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 2, eventType: 'OrderItemAdded' });
const cancelled = pipelineEvent({ aggregateId: 'order-1', aggregateVersion: 3, eventType: 'OrderCancelled' });

/** The real log seen through its promise-only port, so `notify` takes its asynchronous path. */
function asyncOnly(log: SqliteNotificationLog): NotificationPublisher {
  return { publish: (changes) => log.publish(changes) };
}

describe.each([
  ['a publisher that writes synchronously (map)', (log: SqliteNotificationLog): NotificationPublisher => log],
  ['an async-only publisher (concatMap)', asyncOnly],
])('notify through %s', (_label, view) => {
  let db: Database.Database;
  let log: SqliteNotificationLog;
  let collection: ReadModelCollection<Order>;

  beforeEach(() => {
    db = new Database(':memory:');
    log = new SqliteNotificationLog(db);
    collection = new SqliteReadModelStore(db).collection<Order>('orders');
  });

  afterEach(() => db.close());

  it('logs one change per applied write, with resource type, id, version, event id and owner, and passes outcomes through', async () => {
    // given two events of one order
    // when they are projected and notified
    const result = await settle(from([placed, added]).pipe(project(collection, reducer), notify(view(log), orders)));
    // then
    expect(result.values.map((outcome) => outcome.applied)).toEqual([true, true]);
    expect(await log.readAfter(0, 10)).toEqual([
      { position: 1, change: { resourceType: 'orders', id: 'order-1', version: 1, eventId: 'event-order-1-1', owner: 'alice' } },
      { position: 2, change: { resourceType: 'orders', id: 'order-1', version: 2, eventId: 'event-order-1-2', owner: 'alice' } },
    ]);
  });

  it('logs nothing for the replay of an older event, and the change again for a redelivery of the event that wrote the current version', async () => {
    // given the order at version 2, notified
    await settle(from([placed, added]).pipe(project(collection, reducer), notify(view(log), orders)));
    // when both events come again (a restart before the checkpoint, a retried record)
    await settle(from([placed, added]).pipe(project(collection, reducer), notify(view(log), orders)));
    // then only version 2 is logged again
    expect((await log.readAfter(2, 10)).map((entry) => entry.change.version)).toEqual([2]);
  });

  it('logs a deletion as deleted, without an owner (the document is gone)', async () => {
    // given / when
    await settle(from([placed, cancelled]).pipe(project(collection, reducer), notify(view(log), orders)));
    // then
    expect((await log.readAfter(1, 10))[0]?.change).toEqual({ resourceType: 'orders', id: 'order-1', version: 3, eventId: 'event-order-1-3', deleted: true });
  });

  it('completes at once on an empty source, publishing nothing', async () => {
    // given / when
    const result = await settle(EMPTY.pipe(project(collection, reducer), notify(view(log), orders)));
    // then
    expect(result).toEqual({ values: [], completed: true });
    expect(await log.headPosition()).toBe(0);
  });

  it('forwards a source error after publishing what came before it', async () => {
    // given
    const source = concat(of(placed), throwError(() => new Error('source failed')));
    // when
    const result = await settle(source.pipe(project(collection, reducer), notify(view(log), orders)));
    // then
    expect(result.error).toEqual(new Error('source failed'));
    expect(await log.headPosition()).toBe(1);
  });

  it('errors when the publisher fails', async () => {
    // given a log whose database is gone
    const brokenDb = new Database(':memory:');
    const broken = new SqliteNotificationLog(brokenDb);
    brokenDb.close();
    // when
    const result = await settle(from([placed]).pipe(project(collection, reducer), notify(view(broken), orders)));
    // then
    expect(result.error).toMatchObject({ code: 'NOTIFICATION_LOG_UNAVAILABLE' });
  });
});

describe('notify without a publisher', () => {
  it('passes outcomes through and publishes nothing (a rebuild replay)', async () => {
    // given a context without notifications
    const db = new Database(':memory:');
    const log = new SqliteNotificationLog(db);
    const collection = new SqliteReadModelStore(db).collection<Order>('orders');
    // when
    const result = await settle(from([placed]).pipe(project(collection, reducer), notify(undefined, orders)));
    // then
    expect(result).toMatchObject({ completed: true, values: [{ id: 'order-1', applied: true }] });
    expect(await log.readAfter(0, 10)).toEqual([]);
    db.close();
  });
});
