/**
 * Issue 11, part 5: the reference page at /docs, opened in a real browser (Debian's chromium,
 * driven by playwright-core) against the API served on loopback, renders every operation of
 * /openapi.json, fetches nothing from another origin, and breaks no rule of its
 * Content-Security-Policy. Needs /usr/bin/chromium (scripts/install-chromium.sh) or CHROMIUM_BIN;
 * without it the suite fails, saying so.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import type { OpenApiDocument } from '../../core/http/openapi';
import { defineReadModel } from '../../core/readmodel/ReadModelDeclaration';
import { orderListReadModel } from '../../domain';
import { createTestApi } from '../unit/http/apiFixture';
import type { TestApi } from '../unit/http/apiFixture';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** What this closed network needs: no GPU, no QUIC, none of Chromium's own calls home. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A read model declared here: the page shows it without anything else being written. */
const parcels = defineReadModel({
  resourceType: 'parcels',
  documentType: 'parcel',
  fields: { carrier: { type: 'string', filterable: true, values: ['DHL', 'UPS'] }, shippedAt: { type: 'timestamp', sortable: true }, label: { type: 'string', fullText: true } },
});

interface PageOperation {
  method: string;
  path: string;
}

let api: TestApi;
let server: ServerType;
let base: string;
let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/install-chromium.sh as root (apt-get install -y chromium), or set CHROMIUM_BIN`);
  }
  api = await createTestApi({}, [orderListReadModel, parcels]);
  await new Promise<void>((listening) => {
    server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => listening());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), 'nexus-chromium-'));
  // A persistent context on a fresh directory: the profile is ours, and removed afterwards.
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (server) await new Promise((closed) => server.close(closed));
  api?.close();
});

describe('the API reference page in a browser', () => {
  it('lists every operation of /openapi.json, reports no error in it, loads everything from its own origin and breaks no CSP rule', async () => {
    // given the document the API serves, and a page that records what it asks for and complains about
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
    const expected = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const page = await browser.newPage();
    const foreign: string[] = [];
    const complaints: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(`${base}/`) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) complaints.push(message.text());
    });
    page.on('pageerror', (error) => complaints.push(error.message));
    page.on('response', (answer) => {
      if (answer.status() >= 400) complaints.push(`${answer.status()} ${answer.url()}`);
    });

    // when the page is opened and Swagger UI has rendered the operations
    const response = await page.goto(`${base}/docs`);
    await page.locator('.opblock').nth(expected.length - 1).waitFor({ timeout: 20_000 });
    const shown = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => ({
        method: block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '',
        path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
      })),
    );

    // then
    expect(response?.status()).toBe(200);
    expect(shown.map(({ method, path }: PageOperation) => `${method} ${path}`).sort()).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['GET /api/queries/parcels', 'GET /api/queries/parcels/{id}', 'GET /api/queries/parcels/search', 'POST /api/commands/PlaceOrder', 'GET /health']));
    // Swagger UI lists what it cannot make sense of in the document in an errors panel.
    expect(await page.locator('.errors-wrapper').count()).toBe(0);
    expect(foreign).toEqual([]);
    expect(complaints).toEqual([]);
    await page.close();
  }, 60_000);
});
