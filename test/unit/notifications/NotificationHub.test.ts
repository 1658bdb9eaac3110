import Database from 'better-sqlite3';
import { SqliteRateLimitStore, SqliteReadModelStore } from '../../../adapters/embedded';
import { SqliteNotificationLog } from '../../../adapters/embedded/SqliteNotificationLog';
import { OpaWasmAuthorizer } from '../../../adapters/opa';
import { AccessGuard } from '../../../core/auth';
import { createJsonLogger } from '../../../core/logging/Logger';
import type { DocumentChanged } from '../../../core/notifications/DocumentChanged';
import { NotificationHub } from '../../../core/notifications/NotificationHub';
import type { ServerFrame } from '../../../core/notifications/NotificationProtocol';
import { SubscriptionAuthorizer } from '../../../core/notifications/SubscriptionAuthorizer';
import { orderListReadModel } from '../../../domain';
import { RUNTIME_POLICY } from '../auth/securedApi';

const support = { id: 'sam', roles: ['support'], clientId: 'sam' };
const alice = { id: 'alice', roles: ['customer'], clientId: 'alice' };
const change = (id: string, version: number, owner = 'alice'): DocumentChanged => ({ resourceType: 'orders', id, version, eventId: `e-${id}-${version}`, owner });

let db: Database.Database;
let log: SqliteNotificationLog;
let hub: NotificationHub;

beforeEach(async () => {
  db = new Database(':memory:');
  log = new SqliteNotificationLog(db, { maxEntries: 3, pruneEveryEntries: 1_000_000 });
  const logger = createJsonLogger({ level: 'error', write: () => undefined });
  const guard = new AccessGuard({ authorizer: await OpaWasmAuthorizer.fromFile(RUNTIME_POLICY), rateLimits: new SqliteRateLimitStore(db), logger });
  const authorizer = new SubscriptionAuthorizer({ readModels: [orderListReadModel], store: new SqliteReadModelStore(db), guard });
  // A poll period no test reaches: the tests poll themselves.
  hub = new NotificationHub({ log, authorizer, logger }, { pollIntervalMs: 60_000 });
});

afterEach(() => {
  hub.stop();
  db.close();
});

function connect(principal: typeof support): { frames: ServerFrame[]; send: (frame: Record<string, unknown>) => Promise<void> } {
  const frames: ServerFrame[] = [];
  const connection = hub.connect(principal, (frame) => frames.push(frame));
  return { frames, send: async (frame) => connection.receive(JSON.stringify(frame)) };
}

const changed = (frames: ServerFrame[]): [string, string, number][] =>
  frames.flatMap((frame) => (frame.type === 'changed' ? [[frame.subscriptionId, frame.id, frame.version] as [string, string, number]] : []));

describe('NotificationHub', () => {
  it('delivers changes logged after a subscription was made, not before', async () => {
    // given a change logged before the subscription
    await hub.start();
    await log.publish([change('o1', 1)]);
    const client = connect(support);
    await client.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    // when another is logged and the hub polls
    await log.publish([change('o2', 1)]);
    await hub.poll();
    // then only the later one arrives, after the subscribed frame that says where the client stands
    expect(client.frames[0]).toEqual({ type: 'subscribed', subscriptionId: 'all', resourceType: 'orders', scope: 'any', resumeAfter: 1 });
    expect(changed(client.frames)).toEqual([['all', 'o2', 1]]);
  });

  it('replays what a resuming subscription missed, in order, then carries on live', async () => {
    // given changes at positions 1 to 4
    await hub.start();
    await log.publish([change('o1', 1), change('o1', 2), change('o2', 1), change('o1', 3)]);
    const client = connect(support);
    // when the client resumes after position 2 and a change follows
    await client.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders', after: 2 });
    await hub.poll();
    await log.publish([change('o2', 2)]);
    await hub.poll();
    // then
    expect(changed(client.frames)).toEqual([['all', 'o2', 1], ['all', 'o1', 3], ['all', 'o2', 2]]);
  });

  it('tells a subscription resuming from a pruned position to resync, then carries on live', async () => {
    // given a log keeping its 3 newest entries, pruned after 5
    await hub.start();
    for (let version = 1; version <= 5; version += 1) await log.publish([change('o1', version)]);
    log.prune();
    const client = connect(support);
    // when the client resumes after position 1
    await client.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders', after: 1 });
    await log.publish([change('o1', 6)]);
    await hub.poll();
    // then
    expect(client.frames.find((frame) => frame.type === 'resync')).toEqual({ type: 'resync', subscriptionId: 'all', reason: 'pruned', resumeAfter: 5 });
    expect(changed(client.frames)).toEqual([['all', 'o1', 6]]);
  });

  it("filters a customer's resource-type subscription to its own documents", async () => {
    // given alice subscribed to every order
    await hub.start();
    const client = connect(alice);
    await client.send({ type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    // when hers and bob's change
    await log.publish([change('o1', 1, 'alice'), change('o2', 1, 'bob')]);
    await hub.poll();
    // then
    expect(changed(client.frames)).toEqual([['mine', 'o1', 1]]);
  });

  it('stops delivering after unsubscribe, and refuses a subscription id already in use', async () => {
    // given
    await hub.start();
    const client = connect(support);
    await client.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    await client.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    // when
    await client.send({ type: 'unsubscribe', subscriptionId: 'all' });
    await log.publish([change('o1', 1)]);
    await hub.poll();
    // then
    expect(client.frames.map((frame) => frame.type)).toEqual(['subscribed', 'error', 'unsubscribed']);
    expect(client.frames[1]).toMatchObject({ subscriptionId: 'all', status: 400, field: 'subscriptionId' });
  });
});
