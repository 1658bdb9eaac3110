/**
 * The baseline of the knee bench: a bare Hono route served the way `npm start` serves Nexus.
 *
 * `POST /api/commands/:commandType` reads the JSON body and answers 202 with a small JSON body:
 * no authentication, no policy, no store. `GET /health` answers 200 so the bench can wait for
 * it. Run as its own node process (`node --import tsx load-tests/bench/bareRouteServer.ts
 * --port N`), started by {@link startBareRouteServer} exactly as the bench starts the Nexus server
 * (same node binary, same tsx loader, a child process of the load generator, the same
 * `serve({ fetch, port, hostname })` call of @hono/node-server and the same Node server limits),
 * so that the two differ only in what the route does.
 *
 * With `--durable <file>` (and the HS256 secret in NEXUS_JWT_SECRET) the route does the least an
 * authenticated, durable command endpoint must: verify the bearer token (jose, as Nexus does) and
 * insert the body into a WAL SQLite table (synchronous NORMAL and group commit, as `npm start`)
 * before the 202: the floor under PlaceOrder's knee on this machine.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { jwtVerify } from 'jose';
import { openSqliteDatabase } from '../../adapters/embedded';
import { silentLogger } from '../../core/logging/Logger';
import { applyHttpServerLimits } from '../../handlers/local/httpServerLimits';
import { endProcess, freePort, waitForHealth } from '../loadgen/NexusServer';

/** The bare route server running in a child process. */
export interface BareRouteServer {
  baseUrl: string;
  pid: number;
  /** SIGTERM, waits for exit. */
  stop(): Promise<void>;
}

/** The app: one POST route that reads its JSON body and accepts it, and a health route. */
export function createBareRouteApp(): Hono {
  const app = new Hono();
  app.post('/api/commands/:commandType', async (c) => {
    const body = (await c.req.json()) as { orderId?: unknown };
    // A body about the size of a real 202 (aggregateId, version, eventIds, correlationId).
    return c.json({ aggregateId: typeof body.orderId === 'string' ? body.orderId : null, version: 1, eventIds: [], correlationId: null }, 202);
  });
  app.get('/health', (c) => c.json({ status: 'ok' }));
  return app;
}

/**
 * The durable route: verify the bearer token, insert the body, then 202. Inserts are group
 * committed as Nexus's appends are: those that arrive in one event-loop turn share a transaction,
 * and each request is answered once its transaction has committed.
 */
export function createDurableRouteApp(secret: Uint8Array, databaseFile: string): Hono {
  const db = openSqliteDatabase(databaseFile);
  db.exec('CREATE TABLE IF NOT EXISTS commands (position INTEGER PRIMARY KEY, command_type TEXT NOT NULL, body TEXT NOT NULL, accepted_at TEXT NOT NULL)');
  const insert = db.prepare<[string, string, string]>('INSERT INTO commands (command_type, body, accepted_at) VALUES (?, ?, ?)');
  let pending: { row: [string, string, string]; done: () => void }[] = [];
  const commit = db.transaction((rows: typeof pending) => {
    for (const { row } of rows) insert.run(...row);
  });
  const flush = (): void => {
    const rows = pending;
    pending = [];
    commit(rows);
    for (const { done } of rows) done();
  };
  const store = (row: [string, string, string]): Promise<void> =>
    new Promise((done) => {
      pending.push({ row, done });
      if (pending.length === 1) setImmediate(flush);
    });
  const app = new Hono();
  app.post('/api/commands/:commandType', async (c) => {
    const token = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
    try {
      await jwtVerify(token, secret, { algorithms: ['HS256'] });
    } catch {
      return c.json({ status: 401 }, 401);
    }
    const text = await c.req.text();
    const body = JSON.parse(text) as { orderId?: unknown };
    await store([c.req.param('commandType'), text, new Date().toISOString()]);
    return c.json({ aggregateId: typeof body.orderId === 'string' ? body.orderId : null, version: 1, eventIds: [], correlationId: null }, 202);
  });
  app.get('/health', (c) => c.json({ status: 'ok' }));
  return app;
}

/** What the child server does: the bare route, or the durable one over `file` with `secret`. */
export type BareRouteMode = { kind: 'bare' } | { kind: 'durable'; file: string; secret: string };

/** Starts this file as a server in a child node process on a free loopback port; resolves once `/health` answers. */
export async function startBareRouteServer(startTimeoutMs = 30_000, mode: BareRouteMode = { kind: 'bare' }): Promise<BareRouteServer> {
  const port = await freePort();
  const args = ['--import', 'tsx', __filename, '--port', String(port), ...(mode.kind === 'durable' ? ['--durable', mode.file] : [])];
  const env = mode.kind === 'durable' ? { ...process.env, NEXUS_JWT_SECRET: mode.secret } : process.env;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, child, startTimeoutMs, () => output, 'bare route server');
  return { baseUrl, pid: child.pid ?? 0, stop: () => endProcess(child) };
}

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, durable: { type: 'string' } }, strict: true });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`--port must be an integer in 0..65535, got ${String(values.port)}`);
  const app = values.durable === undefined ? createBareRouteApp() : createDurableRouteApp(new TextEncoder().encode(process.env.NEXUS_JWT_SECRET ?? ''), values.durable);
  const server = serve({ fetch: app.fetch, port, hostname: values.host });
  // The Node server limits npm start applies (timeouts, problem+json for parser refusals).
  applyHttpServerLimits(server, {}, silentLogger);
  const shutdown = (): void => void server.close(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) main();
