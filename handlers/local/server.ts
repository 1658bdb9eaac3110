/**
 * `npm start`: the whole embedded system in one process — HTTP API and pipelines — with its data
 * in a directory that survives restarts.
 */
import { serve } from '@hono/node-server';
import { AuthConfigError, readAuthConfig } from '../../core/auth/authConfig';
import { createEmbeddedApi, openEmbeddedSystem } from './embeddedSystem';
import { ConfigError, readLocalServerConfig } from './config';
import { watchEventLoopDelay } from './eventLoopDelayWindow';
import { memoryUsageMb } from './memoryUsageMb';

async function main(): Promise<void> {
  const config = readLocalServerConfig(process.argv.slice(2), process.env);
  // Pipelines in a worker thread and group commit: the HTTP event loop does only command and
  // query work, and concurrent commands share commits (docs/performance.md, round 3).
  const system = await openEmbeddedSystem({
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    pipelinesIn: 'worker',
    groupCommit: true,
    runner: { lingerMs: config.pipelineLingerMs },
    pipelineWorkerNice: config.pipelineNice,
  });
  await system.startPipelines();
  const auth = readAuthConfig(process.env, system.dataDir);
  const eventLoop = watchEventLoopDelay();
  const app = createEmbeddedApi(system, auth, {
    maxBodyBytes: config.maxBodyBytes,
    health: async () => ({ pipelines: await system.pipelineMetrics(), memory: { ...memoryUsageMb(), pipelineWorker: (await system.pipelineWorkerHeap()) ?? null }, eventLoop: eventLoop.last() ?? null }),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    system.logger.info('nexus listening', { url: `http://${config.host}:${info.port}`, dataDir: system.dataDir });
    // A line for people (and scripts) that do not read JSON logs.
    process.stdout.write(`Nexus is listening on http://${config.host}:${info.port} (data in ${system.dataDir})\n`);
    process.stdout.write(tokenHint(auth.secretFile, system.dataDir));
  });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    system.logger.info('shutting down', { signal });
    server.close();
    void system.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** How to get a token for this server: every route but /health needs one. */
function tokenHint(secretFile: string | undefined, dataDir: string): string {
  if (secretFile === undefined) return 'Every route but /health needs a bearer token from your identity provider (NEXUS_JWKS_URL or NEXUS_JWT_SECRET).\n';
  return `Every route but /health needs a bearer token; get one with:\n  npm run token -- --role admin --sub alice --data-dir ${dataDir}\n`;
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof AuthConfigError ? `configuration error: ${error.message}` : error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(`${message}\n`);
  process.exit(error instanceof ConfigError || error instanceof AuthConfigError ? 2 : 1);
});
