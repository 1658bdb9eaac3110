import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthConfig } from '../../../core/auth/authConfig';
import { silentLogger } from '../../../core/logging/Logger';
import { createEmbeddedApi, openEmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import type { ApiSystem, EmbeddedApiOptions, EmbeddedSystem } from '../../../handlers/local/embeddedSystem';
import { readOrCreateContinuationKeyFile } from '../../../handlers/local/temporalContinuationKey';
import { E2E_JWT_SECRET, e2eAdminToken } from '../../e2e/support/e2eAuth';
import { askTemporal, continuationOf, orderWithItems } from '../../support/continuationHandOver';
import type { ApiFetch } from '../../support/continuationHandOver';

const AUTH: AuthConfig = { keys: { secret: E2E_JWT_SECRET }, verifier: {} };
const CAP = { maxEventsPerRequest: 2 };

type ApiModule = { createEmbeddedApi: (system: ApiSystem, auth: AuthConfig, options?: EmbeddedApiOptions) => { fetch: ApiFetch } };
type KeyModule = { readOrCreateContinuationKeyFile: (dataDir: string) => string };

/**
 * An API instance as another process (a restart, a second container) builds it: a fresh module
 * registry, so nothing is shared with this one but the system and the data directory, and the
 * key read from the file anew when `readKey`. Without it the instance keeps the per-process default.
 */
function isolatedApi(system: EmbeddedSystem, readKey: boolean): ApiFetch {
  let fetch: ApiFetch | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('../../../handlers/local/systemApi') as ApiModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const keys = require('../../../handlers/local/temporalContinuationKey') as KeyModule;
    const temporal = readKey ? { ...CAP, continuationKey: keys.readOrCreateContinuationKeyFile(system.dataDir) } : CAP;
    const app = api.createEmbeddedApi(system, AUTH, { temporal });
    fetch = (request) => app.fetch(request);
  });
  return fetch as ApiFetch;
}

describe('temporal continuations across embedded API instances', () => {
  let dataDir: string;
  let system: EmbeddedSystem;
  const asOf = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-shared-key-'));
    system = await openEmbeddedSystem({ dataDir, logger: silentLogger, pipelines: [] });
  });

  afterAll(async () => {
    await system?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts on one instance a continuation another issued, both keyed from the data directory, and the chain ends where one replay does', async () => {
    // given an order of five events, and an instance keyed from <data dir>/temporal-continuation-key
    const orderId = await orderWithItems(system.commands, 'shared-1', 4);
    const first = createEmbeddedApi(system, AUTH, { temporal: { ...CAP, continuationKey: readOrCreateContinuationKeyFile(system.dataDir) } });
    const partial = await askTemporal((request) => first.fetch(request), e2eAdminToken(), orderId, asOf);
    // when another instance, built the way a restarted process builds it, resumes the chain
    const second = isolatedApi(system, true);
    const resumed = await askTemporal(second, e2eAdminToken(), orderId, asOf, continuationOf(partial));
    const last = await askTemporal(second, e2eAdminToken(), orderId, asOf, continuationOf(resumed));
    // then every link is accepted, and the last one is the state one unbounded replay gives
    expect(partial.body).toMatchObject({ version: 2, complete: false });
    expect(resumed.body).toMatchObject({ version: 4, complete: false });
    const whole = createEmbeddedApi(system, AUTH, { temporal: { continuationKey: readOrCreateContinuationKeyFile(system.dataDir) } });
    const unbounded = await askTemporal((request) => whole.fetch(request), e2eAdminToken(), orderId, asOf);
    expect(last).toEqual({ status: 200, body: { ...unbounded.body, complete: true } });
    expect(last.body.version).toBe(5);
  });

  it('refuses the continuation on an instance that kept its own per-process key (the failure the shared key removes)', async () => {
    // given a partial answer of an instance keyed from the data directory
    const orderId = await orderWithItems(system.commands, 'shared-2', 3);
    const first = createEmbeddedApi(system, AUTH, { temporal: { ...CAP, continuationKey: readOrCreateContinuationKeyFile(system.dataDir) } });
    const token = continuationOf(await askTemporal((request) => first.fetch(request), e2eAdminToken(), orderId, asOf));
    // when an instance of another process, without the shared key, is asked to resume it
    const unkeyed = isolatedApi(system, false);
    const answer = await askTemporal(unkeyed, e2eAdminToken(), orderId, asOf, token);
    // then it is refused as a foreign token, naming continuation
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', field: 'continuation' });
  });
});
