import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { runCli } from './runCli';

jest.setTimeout(120_000);

let dataDir: string;

beforeAll(async () => {
  // given a data directory whose order list the live pipeline has projected
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-cli-projections-'));
  const system = await openEmbeddedSystem({ dataDir, logLevel: 'silent' });
  await system.startPipelines();
  for (let n = 0; n < 5; n += 1) {
    await system.commands.handle('PlaceOrder', { orderId: `order-${n}`, customerId: 'cust-1', items: [] }, { correlationId: `corr-${n}` }); // no lines: no fulfilment saga adds events
  }
  await system.whenCaughtUp(30_000);
  await system.close();
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npx nexus projections', () => {
  it('shows each projection at version 1, its position and no lag, then rebuilds one into version 2 with progress lines', () => {
    // when the status is asked for
    const before = runCli('bin/nexus.js', ['--data-dir', dataDir, 'projections', 'status']);
    // then the order list is at version 1, caught up
    expect(before.status).toBe(0);
    expect(before.stdout).toMatch(/^PIPELINE\s+VERSION\s+POSITION\s+LAG\s+REBUILD\n/);
    expect(before.stdout).toMatch(/order-list\s+v1\s+5\s+0\s+-/);
    // when the order list is rebuilt, output not being a terminal
    const rebuild = runCli('bin/nexus.js', ['--data-dir', dataDir, 'projections', 'rebuild', 'order-list']);
    // then it says it switched, and progress came as plain lines on stderr
    expect(rebuild.stderr).toMatch(/order-list v2 switched\s+\[#+\] 100% 5 events [\d,]+ events\/s done\n/);
    expect(rebuild.stdout).toBe('order-list: switched to version 2 (orders), 5 records replayed\n');
    expect(rebuild.status).toBe(0);
    // and the status shows version 2
    const after = runCli('bin/nexus.js', ['--data-dir', dataDir, 'projections', 'status', '--json']);
    expect(JSON.parse(after.stdout)).toEqual(expect.arrayContaining([{ pipeline: 'order-list', version: 2, position: 5, lag: 0, lagCapped: false }]));
  });

  it('refuses an unknown pipeline, a publishing one and an aws-only option, saying why', () => {
    // when a pipeline that does not exist is rebuilt
    const unknown = runCli('bin/nexus.js', ['--data-dir', dataDir, 'projections', 'rebuild', 'order-lits']);
    // then it fails naming the known ones
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown pipeline "order-lits"; known: .*order-list/);
    // when the router, which publishes, is rebuilt
    const router = runCli('bin/nexus.js', ['--data-dir', dataDir, 'projections', 'rebuild', 'router']);
    expect(router.status).toBe(1);
    expect(router.stderr).toMatch(/a replay would publish its records again \(PROJECTION_NOT_REBUILDABLE\)/);
    // when the aws backend's --since is given to an embedded rebuild
    const since = runCli('bin/nexus.js', ['--data-dir', dataDir, 'projections', 'rebuild', 'order-list', '--since', '2030-01-01T00:00:00Z']);
    expect(since.status).toBe(1);
    expect(since.stderr).toMatch(/--since applies to --backend aws only/);
  });
});
