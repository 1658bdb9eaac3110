/**
 * Property-based fuzz test of the HTTP app over the real embedded system (SQLite files, the
 * compiled policies, the pipelines running in-process): whatever the method, path, query string,
 * headers and body, the app never answers 5xx, every 4xx is an RFC 9457 problem document, and a
 * refused request changes neither the events table nor the read models.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { createJsonLogger } from '../../core/logging/Logger';
import { createEmbeddedApi, openEmbeddedSystem } from '../../handlers/local/embeddedSystem';
import type { EmbeddedSystem } from '../../handlers/local/embeddedSystem';

const SECRET = 'fuzz-only-secret-fuzz-only-secret-0123456789';
const OTHER_SECRET = 'another-secret-another-secret-another-0123';
const RUNS = Number(process.env.NEXUS_FUZZ_RUNS ?? 1000);

type Api = ReturnType<typeof createEmbeddedApi>;

let dataDir: string;
let system: EmbeddedSystem;
let app: Api;
let pipelinesDb: Database.Database;
const errorLines: string[] = [];
const statuses = new Map<string, number>();

/** A compact HS256 JWS over any claims, so that broken claims can be signed too. */
function sign(claims: Record<string, unknown>, secret = SECRET): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function token(sub: string, roles: string[], extra: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub, roles, iat: now, exp: now + 3600, ...extra });
}

const now = Math.floor(Date.now() / 1000);
const AUTHORIZATIONS = [
  `Bearer ${token('root', ['admin'])}`,
  `Bearer ${token('alice', ['customer'])}`,
  `Bearer ${token('bob', ['customer'])}`,
  `Bearer ${token('audrey', ['auditor'])}`,
  `Bearer ${token('sam', ['support'])}`,
  `Bearer ${token('alice', ['customer', 'auditor'])}`,
  `Bearer ${token('\ud800', ['admin'])}`,
  `Bearer ${token('root', ['admin'], { exp: undefined })}`,
  `Bearer ${token('root', ['admin'], { exp: now - 10 })}`,
  `Bearer ${token('root', ['admin'], { iat: now + 3600, exp: now + 7200 })}`,
  `Bearer ${token('root', ['admin'], { exp: now + 365 * 86_400 })}`,
  `Bearer ${token('root', 'admin' as unknown as string[])}`,
  `Bearer ${token('root', [42 as unknown as string])}`,
  `Bearer ${sign({ sub: 'root', roles: ['admin'], exp: now + 60 }, OTHER_SECRET)}`,
  'Bearer not.a.token',
  'Bearer ',
  'Basic cm9vdDpyb290',
  undefined,
];

const COMMANDS = ['PlaceOrder', 'AddItem', 'ConfirmOrder', 'CancelOrder'];

/** Strings that have broken things before: lone surrogates, NUL, huge numbers as text, markup. */
const nastyString = fc.oneof(
  fc.constantFrom('\ud800', 'a\udfffb', '\u0000', '', ' ', '💥', 'order-1', 'alice', '1e308', '__proto__', 'constructor', "'; DROP TABLE events; --", 'x'.repeat(200)),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => `id-${String.fromCharCode(code)}`),
);

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, [], {}),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** The fields of a well-formed command of each type. */
const COMMAND_FIELDS: Readonly<Record<string, Record<string, unknown>>> = {
  PlaceOrder: { customerId: 'alice', items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 2.5 }], currency: 'EUR' },
  AddItem: { sku: 'PEN-1', quantity: 1, unitPrice: 1 },
  ConfirmOrder: {},
  CancelOrder: { reason: 'fuzz' },
};

/** A well-formed command of a type, sometimes with one field replaced, removed or added. */
function mutatedCommand(type: string): fc.Arbitrary<string> {
  const fields = COMMAND_FIELDS[type] ?? {};
  return fc
    .record({
      orderId: fc.constantFrom('order-1', 'order-2', 'order-404', undefined),
      field: fc.constantFrom('orderId', 'expectedVersion', 'extra', 'items', ...Object.keys(fields)),
      mutation: fc.oneof(fc.constant<'delete'>('delete'), nastyValue.map((value) => ({ value }))),
      mutate: fc.boolean(),
    })
    .map(({ orderId, field, mutation, mutate }) => {
      const body: Record<string, unknown> = { ...(orderId === undefined ? {} : { orderId }), ...fields };
      if (mutate) {
        if (mutation === 'delete') delete body[field];
        else body[field] = mutation.value;
      }
      return JSON.stringify(body);
    });
}

const body = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...COMMANDS).chain(mutatedCommand) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '[]', '1e308', '"text"', 'true', '{', '{"orderId":"\\ud800"}', '{"a":1,"a":2}', '', ' ') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
);

/** A path segment: an id, text percent-encoded as UTF-8, or raw (possibly broken) escapes. */
const segment = fc.oneof(
  fc.constantFrom('order-1', 'order-2', 'order-404', '%ED%A0%80', '%', '%E0%A4%A', '%00', '%FF', '..', '%2F', 'a%20b'),
  fc.string({ maxLength: 16 }).map((text) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
);

const path = fc.oneof(
  fc.tuple(fc.oneof(fc.constantFrom(...COMMANDS), segment)).map(([type]) => `/api/commands/${type}`),
  fc.constant('/api/queries/orders'),
  segment.map((id) => `/api/queries/orders/${id}`),
  segment.map((id) => `/api/queries/temporal/orders/${id}`),
  fc.constantFrom('/health', '/', '/api', '/api/commands', '/api/queries', '/api/queries/temporal/orders'),
  fc.tuple(segment, segment).map(([a, b]) => `/${a}/${b}`),
);

const queryValue = fc.oneof(
  fc.constantFrom('PLACED', 'alice', 'createdAt', 'asc', 'desc', '10', '0', '101', '-1', '1e3', new Date().toISOString(), '2026-01-01T00:00:00Z', 'garbage', '%ED%A0%80', '%', ''),
  segment,
);
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('status', 'customerId', 'sort', 'order', 'limit', 'cursor', 'asOf', 'since'), segment), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

/** Header values must be ByteStrings for Request; the fuzzing is in what they say. */
const headerText = fc.oneof(fc.constantFrom('', ' ', 'x'.repeat(300), 'a,b', 'ÿ'), fc.stringMatching(/^[\x20-\x7e]{0,24}$/));
const headers = fc.record(
  {
    authorization: fc.constantFrom(...AUTHORIZATIONS),
    'content-type': fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/problem+json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data'), headerText),
    'content-encoding': fc.constantFrom('identity', 'gzip', 'br', 'deflate, gzip', ''),
    'idempotency-key': fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerText }),
    'x-correlation-id': fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerText }),
    accept: fc.constantFrom('application/json', 'text/html', '*/*'),
  },
  { requiredKeys: [] },
);

/** Anything at all: most of it is refused early (no token, wrong method, content type, …). */
const fuzzedRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  path,
  query: queryString,
  headers,
  body,
});

/**
 * A command any client could send, with a valid token and headers, so that the fuzzing reaches
 * the command handler, the decider, the store and the idempotency keys (a few fixed keys, so that
 * replays and reuses with another body happen).
 */
const commandRequest = fc.constantFrom(...COMMANDS).chain((type) => fc.record({
  method: fc.constant('POST'),
  path: fc.constant(`/api/commands/${type}`),
  query: fc.constant(''),
  headers: fc.record(
    {
      authorization: fc.constantFrom(...AUTHORIZATIONS.slice(0, 6)) as fc.Arbitrary<string | undefined>,
      'content-type': fc.constant('application/json'),
      'idempotency-key': fc.constantFrom('key-1', 'key-2', 'key-3', undefined),
    },
    { requiredKeys: ['authorization', 'content-type'] },
  ),
  body: mutatedCommand(type),
}));

const request = fc.oneof({ weight: 1, arbitrary: fuzzedRequest }, { weight: 1, arbitrary: commandRequest });

/** The stored state a refused request must leave alone. */
function storedState(): { head: number; readModels: string } {
  const rows = pipelinesDb.prepare('SELECT collection, id, version, data FROM read_models ORDER BY collection, id').all();
  return { head: -1, readModels: JSON.stringify(rows) };
}

async function place(orderId: string, customerId: string): Promise<void> {
  const response = await app.request('/api/commands/PlaceOrder', {
    method: 'POST',
    headers: { authorization: AUTHORIZATIONS[0] as string, 'content-type': 'application/json' },
    body: JSON.stringify({ orderId, customerId, items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 3 }] }),
  });
  expect(response.status).toBe(202);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nexus-fuzz-'));
  const logger = createJsonLogger({
    level: 'error',
    write: (line) => {
      errorLines.push(line);
    },
  });
  system = await openEmbeddedSystem({ dataDir, logger });
  await system.startPipelines();
  app = createEmbeddedApi(system, { keys: { secret: SECRET }, verifier: {} });
  pipelinesDb = new Database(join(dataDir, 'pipelines.db'), { readonly: true });
  await place('order-1', 'alice');
  await place('order-2', 'bob');
  await system.whenCaughtUp();
});

afterAll(async () => {
  pipelinesDb?.close();
  await system?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the HTTP app under fuzzed requests', () => {
  it('never answers 5xx, answers every 4xx with problem+json, and a refused request writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path: routePath, query, headers: given, body: text }) => {
        // given: the stored state, caught up
        await system.whenCaughtUp();
        const before = { ...storedState(), head: await system.eventStore.headPosition() };
        const sendsBody = !['GET', 'HEAD'].includes(method);
        let outgoing: Request;
        try {
          outgoing = new Request(`http://nexus.test${routePath}${query}`, {
            method,
            headers: Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Record<string, string>,
            ...(sendsBody ? { body: text } : {}),
          });
        } catch {
          return; // not a request any client could send (the URL or a header is not valid HTTP)
        }

        // when
        const response = await app.fetch(outgoing);
        const raw = method === 'HEAD' ? '' : await response.text();
        const code = response.status >= 400 && method !== "HEAD" ? String((JSON.parse(raw) as { code?: unknown }).code) : "";
        statuses.set(`${response.status} ${code}`, (statuses.get(`${response.status} ${code}`) ?? 0) + 1);

        // then
        const context = `${method} ${routePath}${query} -> ${response.status} ${raw.slice(0, 300)}`;
        expect({ context, serverError: response.status >= 500 }).toEqual({ context, serverError: false });
        if (response.status >= 400) {
          expect({ context, type: response.headers.get('content-type') }).toEqual({ context, type: 'application/problem+json' });
          if (method !== 'HEAD') {
            const problem = JSON.parse(raw) as Record<string, unknown>;
            expect({ context, status: problem.status, code: typeof problem.code, detail: typeof problem.detail }).toEqual({
              context,
              status: response.status,
              code: 'string',
              detail: 'string',
            });
          }
          await system.whenCaughtUp();
          const after = { ...storedState(), head: await system.eventStore.headPosition() };
          expect({ context, ...after }).toEqual({ context, ...before });
        }
      }),
      { numRuns: RUNS },
    );
    process.stderr.write(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`);
    expect(errorLines).toEqual([]);
  }, 600_000);
});
