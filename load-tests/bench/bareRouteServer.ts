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
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
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

/** Starts this file as a server in a child node process on a free loopback port; resolves once `/health` answers. */
export async function startBareRouteServer(startTimeoutMs = 30_000): Promise<BareRouteServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, child, startTimeoutMs, () => output, 'bare route server');
  return { baseUrl, pid: child.pid ?? 0, stop: () => endProcess(child) };
}

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } }, strict: true });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`--port must be an integer in 0..65535, got ${String(values.port)}`);
  const server = serve({ fetch: createBareRouteApp().fetch, port, hostname: values.host });
  // The Node server limits npm start applies (timeouts, problem+json for parser refusals).
  applyHttpServerLimits(server, {}, silentLogger);
  const shutdown = (): void => void server.close(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) main();
