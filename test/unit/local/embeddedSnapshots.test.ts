import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuthConfig } from '../../../core/auth/authConfig';
import { createJsonLogger, silentLogger } from '../../../core/logging/Logger';
import { orderAggregate } from '../../../domain';
import type { OrderState } from '../../../domain';
import { createEmbeddedApi, openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { E2E_JWT_SECRET, e2eAdminToken } from '../../e2e/support/e2eAuth';

const AUTH: AuthConfig = { keys: { secret: E2E_JWT_SECRET }, verifier: {} };

describe('snapshots in the embedded system', () => {
  let dataDir: string;
  let system: EmbeddedSystem | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-snapshots-'));
  });

  afterEach(async () => {
    await system?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("snapshots an order at its declared trigger (100 events) into snapshots.db, and a restart loads from it", async () => {
    // given the embedded system with the Order aggregate as declared
    system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines: [] });
    const everyEvents = orderAggregate.snapshots?.everyEvents ?? 0;
    // when an order reaches that many events
    const { aggregateId } = await system.commands.handle('PlaceOrder', { customerId: 'c-1', items: [] }, { correlationId: 'p' });
    for (let i = 1; i < everyEvents; i += 1) {
      await system.commands.handle('AddItem', { orderId: aggregateId, sku: `S-${i}`, quantity: 1, unitPrice: 1 }, { correlationId: `a${i}` });
    }
    await system.snapshots.scheduler.whenIdle();
    await system.close();
    system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines: [] });
    // then the snapshot is stored, and the reopened system's load starts from it
    expect(await system.snapshots.store.latest(aggregateId, '1', new Date())).toMatchObject({ version: everyEvents, foldVersion: '1', aggregateType: 'Order' });
    expect(await system.commands.loadState<OrderState>(orderAggregate as never, aggregateId)).toMatchObject({ version: everyEvents, snapshotVersion: everyEvents });
  });

  it('answers a temporal query from the snapshot the same as the events say', async () => {
    // given an order of 3 events, snapshotted by a sweep of the running system's parts
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    system = await openEmbeddedSystem({ dataDir, logger, pipelines: [], snapshotSweepIntervalMs: 0 });
    const { aggregateId } = await system.commands.handle('PlaceOrder', { customerId: 'c-9', items: [{ sku: 'A', quantity: 1, unitPrice: 3 }] }, { correlationId: 'p' });
    await system.commands.handle('AddItem', { orderId: aggregateId, sku: 'B', quantity: 2, unitPrice: 1 }, { correlationId: 'a' });
    const app = createEmbeddedApi(system, AUTH);
    const path = `/api/queries/temporal/orders/${aggregateId}?asOf=${new Date(Date.now() + 60_000).toISOString()}`;
    const before = await (await app.request(path, { headers: { authorization: `Bearer ${e2eAdminToken()}` } })).json();
    system.snapshots.scheduler.request({ aggregateType: 'Order', aggregateId, version: 2, reason: 'events' });
    await system.snapshots.scheduler.whenIdle();
    // when asking again
    const after = await (await app.request(path, { headers: { authorization: `Bearer ${e2eAdminToken()}` } })).json();
    // then the answer is the same, now from the snapshot (no event read the second time)
    expect(await system.snapshots.store.latest(aggregateId, '1', new Date())).toMatchObject({ version: 2 });
    expect(after).toEqual(before);
    expect(before).toMatchObject({ version: 2, complete: true });
    expect(lines.filter((line) => line.message === 'temporal query').map((line) => line.eventsScanned)).toEqual([2, 0]);
  });

  it('sweeps on its timer: an expired snapshot is deleted without anyone asking', async () => {
    // given the embedded system sweeping every 50 ms, and a snapshot that expired a minute ago
    system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines: [], snapshotSweepIntervalMs: 50 });
    const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
    const stored = await system.snapshots.store.put({ aggregateType: 'Order', aggregateId: 'o-expired', version: 1, foldVersion: '1', stateJson: '{}', lastEventAt: ago(180_000), createdAt: ago(120_000), expiresAt: ago(60_000) });
    const rows = (): number => countRows(dataDir);
    // when the timer fires
    while (rows() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // then the row, which was stored, is gone
    expect(stored).toBe(true);
    expect(rows()).toBe(0);
  });
});

function countRows(dataDir: string): number {
  const db = new Database(join(dataDir, 'snapshots.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM snapshots').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
