import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthConfig } from '../../../core/auth/authConfig';
import { CommandService } from '../../../core/command';
import { silentLogger } from '../../../core/logging/Logger';
import { aggregates } from '../../../domain';
import { createEmbeddedApi, openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { orderContext, orderItemAdded, orderPlaced } from '../../contract/eventFixtures';
import { E2E_JWT_SECRET, e2eAdminToken } from '../../e2e/support/e2eAuth';
import { tallyAggregate } from '../http/temporalHarness';

const AUTH: AuthConfig = { keys: { secret: E2E_JWT_SECRET }, verifier: {} };
const AS_OF = new Date(Date.now() + 3_600_000).toISOString();

describe('the aggregate types the system API serves', () => {
  let dataDir: string;
  let system: EmbeddedSystem;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-served-aggregates-'));
    system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines: [] });
  });

  afterAll(async () => {
    await system?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function get(app: ReturnType<typeof createEmbeddedApi>, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await app.request(path, { headers: { authorization: `Bearer ${e2eAdminToken()}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("routes commands to the domain's declared aggregates, the one list the API serves too", () => {
    // when
    const routed = system.commands.aggregateDefinitions();
    // then
    expect(routed).toEqual(aggregates);
  });

  it("serves temporal queries of every aggregate of the command service, with no handler edit for a new one", async () => {
    // given a command service with one aggregate type more than the domain declares, and events of it
    const commands = new CommandService({ eventStore: system.eventStore, codec: system.codec, upcasters: system.upcasters, aggregates: [...aggregates, tallyAggregate], logger: silentLogger });
    await system.eventStore.append('tally-1', 0, [orderPlaced('tally-1'), orderItemAdded('tally-1', 'sku-a')], orderContext({ aggregateType: 'Tally' }));
    const app = createEmbeddedApi({ ...system, commands }, AUTH);
    // when its temporal query is asked, and that of a type nobody declared
    const tally = await get(app, `/api/queries/temporal/tallies/tally-1?asOf=${AS_OF}`);
    const unknown = await get(app, `/api/queries/temporal/widgets/w-1?asOf=${AS_OF}`);
    // then the new type is served, the undeclared one is not
    expect(tally).toEqual({ status: 200, body: expect.objectContaining({ aggregateId: 'tally-1', version: 2, complete: true, state: { count: 2, skus: ['sku-a'] } }) });
    expect(unknown).toEqual({ status: 404, body: expect.objectContaining({ code: 'NOT_FOUND', field: 'aggregateType', detail: expect.stringContaining('known: orders, payments, shipments, stocks, tallies') }) });
  });
});
