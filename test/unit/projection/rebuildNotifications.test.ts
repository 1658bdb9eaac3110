import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteNotificationLog } from '../../../adapters/embedded/SqliteNotificationLog';
import { openSqliteDatabase } from '../../../adapters/embedded/openSqliteDatabase';
import { silentLogger } from '../../../core/logging/Logger';
import { checkRebuildable } from '../../../core/projection/rebuild/rebuildProjection';
import { openProjectionsSystem } from '../../../handlers/cli/projectionsSystem';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import orderList from '../../../pipelines/order-list';

jest.setTimeout(60_000);

describe('rebuilding a pipeline that notifies', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-rebuild-notify-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is allowed: notifications are a port a replay may leave out', () => {
    // given / when / then
    expect(orderList.uses).toContain('notifications');
    expect(() => checkRebuildable(orderList)).not.toThrow();
  });

  it('replays the order list without notifying clients again', async () => {
    // given orders projected and notified by the live pipeline
    const live = await openEmbeddedSystem({ dataDir, logLevel: 'silent' });
    await live.startPipelines();
    for (const n of [1, 2, 3]) await live.commands.handle('PlaceOrder', { orderId: `order-${n}`, customerId: 'alice', items: [{ sku: 'A', quantity: 1, unitPrice: 3 }] }, { correlationId: `c-${n}` });
    await live.whenCaughtUp(30_000);
    const notifiedBefore = await live.notifications.headPosition();
    await live.close();
    // when the order list is rebuilt
    const projections = openProjectionsSystem(dataDir, { logger: silentLogger });
    const summary = await projections.rebuild(orderList);
    await projections.close();
    // then it replayed every order, and the notification log holds only the live pipeline's changes
    expect(summary.eventsReplayed).toBeGreaterThanOrEqual(3);
    expect(notifiedBefore).toBe(3);
    const db = openSqliteDatabase(join(dataDir, 'pipelines.db'));
    expect(await new SqliteNotificationLog(db).headPosition()).toBe(3);
    db.close();
  });
});
