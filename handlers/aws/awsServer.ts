/**
 * `npm start -- --backend aws`: the same HTTP app as the embedded server (createApi through
 * createEmbeddedApi: the same authentication, policies, commands and queries) over the AWS
 * system, with the pipelines polling in this process. /health adds the pipelines' metrics.
 */
import { serve } from '@hono/node-server';
import { readAuthConfig } from '../../core/auth/authConfig';
import { createJsonLogger } from '../../core/logging/Logger';
import { createEmbeddedApi } from '../local/embeddedSystem';
import type { LocalServerConfig } from '../local/config';
import { prepareDataDirectory } from '../local/dataDirectory';
import { watchEventLoopDelay } from '../local/eventLoopDelayWindow';
import { applyHttpServerLimits } from '../local/httpServerLimits';
import { memoryUsageMb } from '../local/memoryUsageMb';
import { describeStartupFailure } from '../local/startupFailure';
import { readOrCreateContinuationKeyFile } from '../local/temporalContinuationKey';
import type { AwsBackendConfig } from './awsConfig';
import { openAwsSystem } from './awsSystem';
import type { AwsSystem } from './awsSystem';

/** How long a failed start waits for the runners and clients to close. */
const CLOSE_ON_FAILURE_MS = 5_000;

/** Opens the AWS system, serves the API and runs the pipelines until SIGINT or SIGTERM. */
export async function runAwsServer(server: LocalServerConfig, aws: AwsBackendConfig): Promise<void> {
  const logger = createJsonLogger({ level: server.logLevel });
  // The data directory holds only the generated development secret (when no NEXUS_JWT_SECRET
  // or NEXUS_JWKS_URL is set), so that `npm run -s token` works as it does embedded, and the
  // generated continuation key (when none is configured).
  const needsSecretFile = !process.env.NEXUS_JWT_SECRET && !process.env.NEXUS_JWKS_URL;
  const needsDataDir = needsSecretFile || server.temporalContinuationKey === undefined;
  const dataDir = needsDataDir ? prepareDataDirectory(server.dataDir) : server.dataDir;
  const auth = readAuthConfig(process.env, dataDir);
  const continuationKey = server.temporalContinuationKey ?? readOrCreateContinuationKeyFile(dataDir);
  const system = await openAwsSystem({ config: aws, logger, idempotencyTtlSeconds: server.idempotencyTtlSeconds, ...(server.pipelines ? { pipelineNames: server.pipelines } : {}) });
  await system.startPipelines();
  const eventLoop = watchEventLoopDelay();
  const app = createEmbeddedApi(system, auth, {
    maxBodyBytes: server.maxBodyBytes,
    bodyTimeoutMs: server.bodyTimeoutMs,
    temporal: { continuationKey },
    health: async () => ({ backend: 'aws', pipelines: system.pipelineMetrics(), memory: memoryUsageMb(), eventLoop: eventLoop.last() ?? null }),
  });
  const listening = serve({ fetch: app.fetch, port: server.port, hostname: server.host }, (info) => {
    logger.info('nexus listening', { url: `http://${server.host}:${info.port}`, backend: 'aws', stage: aws.stage, workerId: aws.workerId });
    process.stdout.write(`Nexus is listening on http://${server.host}:${info.port} (AWS backend, stage ${aws.stage}, events in ${aws.names.eventsTable})\n`);
    if (auth.secretFile !== undefined) process.stdout.write(`Every route but /health, /openapi.json and /docs needs a bearer token; get one with:\n  TOKEN=$(npm run -s token -- --role admin --sub alice --data-dir ${dataDir})\n`);
  });
  applyHttpServerLimits(listening, { headersTimeoutMs: server.bodyTimeoutMs, requestTimeoutMs: 3 * server.bodyTimeoutMs }, logger);
  listening.once('error', (error) => void failAfterOpen(error, system, server));

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    listening.close();
    void system.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function failAfterOpen(error: unknown, system: AwsSystem, server: LocalServerConfig): Promise<void> {
  const failure = describeStartupFailure(error, { host: server.host, port: server.port });
  process.stderr.write(`${failure.line}\n`);
  const timer = setTimeout(() => process.exit(failure.exitCode), CLOSE_ON_FAILURE_MS);
  await system.close().catch(() => undefined);
  clearTimeout(timer);
  process.exit(failure.exitCode);
}
