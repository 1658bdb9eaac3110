/**
 * Live notifications end to end: the real server process (pipelines in their worker thread, the
 * WebSocket endpoint in the main thread, the notification log between them in pipelines.db), real
 * `ws` clients on loopback, commands over HTTP. The server paces each client at 2 frames per
 * second, so the throttle's coalescing shows with a handful of commands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { getJson, postCommand } from './support/http';
import { eventually } from './support/NexusProcess';
import { NotificationClient, e2eToken, refusedUpgrade } from './support/notificationClient';
import type { Frame } from './support/notificationClient';

jest.setTimeout(90_000);

let dataDir: string;
let nexus: NexusProcess;
let wsUrl: string;
const clients: NotificationClient[] = [];

const alice = e2eToken('alice', ['customer']);
const bob = e2eToken('bob', ['customer']);
const support = e2eToken('sam', ['support']);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-ws-'));
  nexus = await startNexus({ dataDir, env: { NEXUS_WS_MAX_PER_SECOND: '2' } });
  wsUrl = `ws://127.0.0.1:${nexus.port}/ws`;
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

afterAll(async () => {
  await nexus?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function connect(token: string, as: 'header' | 'subprotocol' = 'header'): Promise<NotificationClient> {
  const client = await NotificationClient.connect(wsUrl, token, as);
  clients.push(client);
  return client;
}

async function placeOrder(token: string, customerId: string): Promise<string> {
  const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', { customerId, items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 10 }], currency: 'EUR' }, { authorization: `Bearer ${token}` });
  expect(placed.status).toBe(202);
  return placed.body.aggregateId as string;
}

async function addItem(token: string, orderId: string, sku: string): Promise<void> {
  const added = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku, quantity: 1, unitPrice: 1 }, { authorization: `Bearer ${token}` });
  expect(added.status).toBe(202);
}

/** Waits until the order list shows `orderId` at `version` (the projection caught up). */
async function projected(orderId: string, version: number): Promise<void> {
  await eventually(async () => {
    const response = await getJson(nexus.baseUrl, `/api/queries/orders/${orderId}`);
    return response.status === 200 && response.body.version === version ? true : undefined;
  }, 10_000, `order ${orderId} at version ${version}`);
}

const changedOf = (orderId: string) => (frame: Frame): boolean => frame.type === 'changed' && frame.id === orderId;

describe('live notifications over WebSocket', () => {
  it('delivers a changed frame after a command', async () => {
    // given alice subscribed to her orders
    const client = await connect(alice);
    client.send({ type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    expect(await client.next((frame) => frame.type === 'subscribed')).toMatchObject({ subscriptionId: 'mine', resourceType: 'orders', scope: 'own', resumeAfter: expect.any(Number) as unknown });
    // when she places an order
    const orderId = await placeOrder(alice, 'alice');
    // then she is told, with the version and event the read model now reflects
    const changed = await client.next(changedOf(orderId));
    expect(changed).toMatchObject({ type: 'changed', subscriptionId: 'mine', resourceType: 'orders', id: orderId, version: 1, owner: 'alice', eventId: expect.any(String) as unknown });
  });

  it("never delivers another customer's order, and refuses a subscription to it by id", async () => {
    // given alice and bob subscribed to their orders, and bob's order
    const aliceClient = await connect(alice, 'subprotocol');
    const bobClient = await connect(bob);
    aliceClient.send({ type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    bobClient.send({ type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    await aliceClient.next((frame) => frame.type === 'subscribed');
    await bobClient.next((frame) => frame.type === 'subscribed');
    const bobsOrder = await placeOrder(bob, 'bob');
    await bobClient.next(changedOf(bobsOrder));
    // when alice asks for bob's order by id, then places one of her own
    aliceClient.send({ type: 'subscribe', subscriptionId: 'his', resourceType: 'orders', id: bobsOrder });
    const refused = await aliceClient.next((frame) => frame.type === 'error');
    const alicesOrder = await placeOrder(alice, 'alice');
    await aliceClient.next(changedOf(alicesOrder));
    // then the id subscription is refused as GET would be, and bob's order never reached alice
    expect(refused).toMatchObject({ subscriptionId: 'his', status: 403, code: 'PERMISSION_DENIED' });
    expect(aliceClient.frames.filter(changedOf(bobsOrder))).toEqual([]);
  });

  it('refuses an upgrade without a valid token with 401 before the upgrade, and one at another path with 404', async () => {
    // given / when
    const withoutToken = await refusedUpgrade(wsUrl, {});
    const withBadToken = await refusedUpgrade(wsUrl, { authorization: 'Bearer not.a.jwt' });
    const elsewhere = await refusedUpgrade(`ws://127.0.0.1:${nexus.port}/api/ws`, { authorization: `Bearer ${support}` });
    // then
    expect(withoutToken).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(withBadToken).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(elsewhere).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('takes a browser\'s token from the subprotocols and selects the notification protocol, never echoing the token', async () => {
    // given / when
    const client = await connect(alice, 'subprotocol');
    // then
    expect(client.socket.protocol).toBe('nexus.notifications.v1');
  });

  it('closes a connection when its token expires (4401), so a revoked role does not outlive the token', async () => {
    // given a client connected with a token that expires in 2 s
    const client = await connect(e2eToken('alice', ['customer'], 2));
    client.send({ type: 'subscribe', subscriptionId: 'mine', resourceType: 'orders' });
    await client.next((frame) => frame.type === 'subscribed');
    // when the token's time is up
    const closed = await client.closed(20_000);
    // then the server closed it, saying why
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
  });

  it('answers a malformed frame with an error naming the field, and keeps the connection', async () => {
    // given
    const client = await connect(support);
    // when
    client.send({ type: 'subscribe', subscriptionId: 's1', resourceType: 'orders', lastVersion: 'three' });
    client.send({ type: 'subscribe', subscriptionId: 's2', resourceType: 'invoices' });
    // then
    expect(await client.next((frame) => frame.type === 'error' && frame.subscriptionId === 's1')).toMatchObject({ status: 400, field: 'lastVersion' });
    expect(await client.next((frame) => frame.type === 'error' && frame.subscriptionId === 's2')).toMatchObject({ status: 404, code: 'UNKNOWN_RESOURCE_TYPE', field: 'resourceType' });
  });

  it('paces a client and coalesces changes of one document to its newest version, dropping none', async () => {
    // given support subscribed to one order of alice's
    const orderId = await placeOrder(alice, 'alice');
    await projected(orderId, 1);
    const client = await connect(support);
    client.send({ type: 'subscribe', subscriptionId: 'one', resourceType: 'orders', id: orderId });
    await client.next((frame) => frame.type === 'subscribed');
    // when 8 items are added, faster than 2 frames a second
    for (let index = 1; index <= 8; index += 1) await addItem(alice, orderId, `SKU-${index}`);
    // then the newest version (9) arrives, and every change was either sent or counted as coalesced
    await client.next((frame) => changedOf(orderId)(frame) && frame.version === 9, 20_000);
    const frames = client.frames.filter(changedOf(orderId));
    expect(frames.reduce((count, frame) => count + 1 + ((frame.coalesced as number | undefined) ?? 0), 0)).toBe(8);
    expect(frames.some((frame) => ((frame.coalesced as number | undefined) ?? 0) > 0)).toBe(true);
  });

  it('resumes after a dropped connection: a type subscription from its last position, an id subscription from its last version', async () => {
    // given support subscribed to all orders and to one, having seen a change
    const orderId = await placeOrder(alice, 'alice');
    const first = await connect(support);
    first.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders' });
    first.send({ type: 'subscribe', subscriptionId: 'one', resourceType: 'orders', id: orderId });
    await first.next((frame) => frame.type === 'subscribed' && frame.subscriptionId === 'one');
    await addItem(alice, orderId, 'SKU-A');
    const seen = await first.next((frame) => changedOf(orderId)(frame) && frame.subscriptionId === 'all' && frame.version === 2);
    // when the connection drops, the order changes twice, and the client reconnects with what it saw
    first.drop();
    await addItem(alice, orderId, 'SKU-B');
    const otherOrder = await placeOrder(bob, 'bob');
    await addItem(alice, orderId, 'SKU-C');
    await projected(orderId, 4);
    const second = await connect(support);
    second.send({ type: 'subscribe', subscriptionId: 'one', resourceType: 'orders', id: orderId, lastVersion: 2 });
    second.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders', after: seen.resumeAfter });
    // then the id subscription is told the current version at once, and the type subscription what it missed
    expect(await second.next((frame) => frame.type === 'changed' && frame.subscriptionId === 'one', 20_000)).toMatchObject({ id: orderId, version: 4 });
    await second.next((frame) => frame.subscriptionId === 'all' && changedOf(orderId)(frame) && frame.version === 4, 20_000);
    await second.next((frame) => frame.subscriptionId === 'all' && changedOf(otherOrder)(frame), 20_000);
  });

  it('tells a client resuming from a position the log never had to resync', async () => {
    // given / when
    const client = await connect(support);
    client.send({ type: 'subscribe', subscriptionId: 'all', resourceType: 'orders', after: 1_000_000_000 });
    // then
    expect(await client.next((frame) => frame.type === 'resync')).toMatchObject({ subscriptionId: 'all', reason: 'unknown-position', resumeAfter: expect.any(Number) as unknown });
  });
});
