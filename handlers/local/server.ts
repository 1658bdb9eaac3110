/**
 * `npm start`: the whole embedded system in one process — HTTP API and pipelines — with its data
 * in a directory that survives restarts. Anything that stops it from starting (a setting, the
 * port, the host, the data directory, a database) ends it with one line on stderr naming the
 * cause and what to change, and a non-zero exit code (1, or 2 for a refused setting).
 */
import { lookup } from 'node:dns/promises';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { readAuthConfig } from '../../core/auth/authConfig';
import { answerStandardOptions } from '../cli/standardOptions';
import { createEmbeddedApi, openEmbeddedSystem } from './embeddedSystem';
import type { EmbeddedSystem } from './embeddedSystem';
import { ConfigError, LOCAL_SERVER_DEFAULTS, LOCAL_SERVER_USAGE, readLocalServerConfig } from './config';
import { AWS_BACKEND_USAGE, readAwsBackendConfig, takeAwsFlags } from '../aws/awsConfig';
import { runAwsServer } from '../aws/awsServer';
import { watchEventLoopDelay } from './eventLoopDelayWindow';
import { memoryUsageMb } from './memoryUsageMb';
import { applyHttpServerLimits } from './httpServerLimits';
import { describeStartupFailure } from './startupFailure';
import { prepareDataDirectory } from './dataDirectory';
import { readOrCreateContinuationKeyFile } from './temporalContinuationKey';
import { StoreWriteProbe } from './StoreWriteProbe';
import { readNotificationConfig, startNotifications } from './notificationServer';
import type { ListenTarget } from './startupFailure';

/** How long a failed start waits for the databases and the pipeline worker to close. */
const CLOSE_ON_FAILURE_MS = 5_000;

const target: ListenTarget = { host: LOCAL_SERVER_DEFAULTS.host, port: LOCAL_SERVER_DEFAULTS.port };

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (answerStandardOptions(argv, `${LOCAL_SERVER_USAGE}\n\n${AWS_BACKEND_USAGE}`)) return;
  const { aws, rest } = takeAwsFlags(argv);
  const config = readLocalServerConfig(rest, process.env);
  const notificationConfig = readNotificationConfig(process.env);
  const awsConfig = config.backend === 'aws' ? readAwsBackendConfig(aws, process.env) : undefined;
  const [stray] = aws.keys();
  if (awsConfig === undefined && stray !== undefined) throw new ConfigError(`--${stray} applies to --backend aws only (or NEXUS_BACKEND=aws)`);
  Object.assign(target, { host: config.host, port: config.port });
  // A host that does not resolve is found before any data is opened.
  await lookup(config.host);
  if (awsConfig !== undefined) return runAwsServer(config, awsConfig);
  // Before any database is opened: a key file that cannot be read or created stops the start.
  const continuationKey = config.temporalContinuationKey ?? readOrCreateContinuationKeyFile(prepareDataDirectory(config.dataDir));
  // Pipelines in a worker thread and group commit: the HTTP event loop does only command and
  // query work, and concurrent commands share commits (docs/performance.md, round 3).
  const system = await openEmbeddedSystem({
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    pipelinesIn: 'worker',
    groupCommit: true,
    runner: { lingerMs: config.pipelineLingerMs },
    pipelineWorkerNice: config.pipelineNice,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    ...(config.pipelines ? { pipelineNames: config.pipelines } : {}),
  });
  await system.startPipelines();
  const auth = readAuthConfig(process.env, system.dataDir);
  const eventLoop = watchEventLoopDelay();
  const storeWrites = new StoreWriteProbe(() => system.probeWritable());
  const app = createEmbeddedApi(system, auth, {
    maxBodyBytes: config.maxBodyBytes,
    bodyTimeoutMs: config.bodyTimeoutMs,
    temporal: { continuationKey },
    health: async () => {
      await storeWrites.check();
      return { pipelines: await system.pipelineMetrics(), memory: { ...memoryUsageMb(), pipelineWorker: (await system.pipelineWorkerHeap()) ?? null }, eventLoop: eventLoop.last() ?? null };
    },
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    system.logger.info('nexus listening', { url: `http://${config.host}:${info.port}`, dataDir: system.dataDir, pipelines: system.pipelines.map((pipeline) => pipeline.name) });
    // A line for people (and scripts) that do not read JSON logs.
    process.stdout.write(`Nexus is listening on http://${config.host}:${info.port} (data in ${system.dataDir}); live notifications at ws://${config.host}:${info.port}/ws\n`);
    process.stdout.write(tokenHint(auth.secretFile, system.dataDir));
  });
  // Node's own timeouts are a backstop behind the app's body timeout, never ahead of it.
  applyHttpServerLimits(server, { headersTimeoutMs: config.bodyTimeoutMs, requestTimeoutMs: 3 * config.bodyTimeoutMs }, system.logger);
  // Listening fails after the data is open (port taken, address not here): close it, then stop.
  server.once('error', (error) => void failAfterOpen(error, system));
  // Live notifications: WebSocket at /ws on the same port (handlers/local/notificationWebSocket.ts).
  const notifications = await startNotifications(server as Server, system, auth, notificationConfig);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    system.logger.info('shutting down', { signal });
    notifications.close();
    server.close();
    void system.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function failAfterOpen(error: unknown, system: EmbeddedSystem): Promise<void> {
  const failure = describeStartupFailure(error, target);
  process.stderr.write(`${failure.line}\n`);
  const timer = setTimeout(() => process.exit(failure.exitCode), CLOSE_ON_FAILURE_MS);
  await system.close().catch(() => undefined);
  clearTimeout(timer);
  process.exit(failure.exitCode);
}

/** How to get a token for this server: every route but /health needs one. */
function tokenHint(secretFile: string | undefined, dataDir: string): string {
  if (secretFile === undefined) return 'Every route but /health, /openapi.json and /docs needs a bearer token from your identity provider (NEXUS_JWKS_URL or NEXUS_JWT_SECRET).\n';
  // -s keeps npm's own banner lines out of TOKEN=$(npm run -s token -- ...).
  return `Every route but /health, /openapi.json and /docs needs a bearer token; get one with:\n  TOKEN=$(npm run -s token -- --role admin --sub alice --data-dir ${dataDir})\n`;
}

main().catch((error: unknown) => {
  const failure = describeStartupFailure(error, target);
  process.stderr.write(`${failure.line}\n`);
  process.exit(failure.exitCode);
});
