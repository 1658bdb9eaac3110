import { parseArgs } from 'node:util';
import type { LogLevel } from '../../core/logging/Logger';
import { pipelines as declaredPipelines } from '../../pipelines';
import { selectPipelines, UnknownPipelineError } from '../../core/pipeline/selectPipelines';
import { isLongEnoughContinuationKey, MIN_TEMPORAL_CONTINUATION_KEY_BYTES } from './temporalContinuationKey';

/** Settings of the local (embedded) server. */
export interface LocalServerConfig {
  /** Where the data lives: `embedded` (SQLite in the data directory) or `aws` (see handlers/aws/awsConfig.ts). */
  backend: 'embedded' | 'aws';
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  maxBodyBytes: number;
  /** Pipelines wait this long after a partial batch, so records committed meanwhile share a batch. */
  pipelineLingerMs: number;
  /** Nice value of the pipeline worker thread (Linux): requests get a core first. */
  pipelineNice: number;
  /** How long a command's response is kept for a retry with the same `Idempotency-Key`. */
  idempotencyTtlSeconds: number;
  /** Longest a request body may take to arrive (408 after); the whole request may take 3x this. */
  bodyTimeoutMs: number;
  /**
   * Key signing temporal-query continuations, shared by every instance of a deployment; absent:
   * `<dataDir>/temporal-continuation-key`, generated on first use.
   */
  temporalContinuationKey?: string;
  /** Runs only these of the declared pipelines (by name); absent: every one. */
  pipelines?: readonly string[];
}

/** Defaults of the local server. */
export const LOCAL_SERVER_DEFAULTS: LocalServerConfig = {
  /** @defaultValue 'embedded' */
  backend: 'embedded',
  /** @defaultValue 3000 */
  port: 3000,
  /** @defaultValue '127.0.0.1' — loopback only unless told otherwise */
  host: '127.0.0.1',
  /** @defaultValue './.nexus' */
  dataDir: './.nexus',
  /** @defaultValue 'info' */
  logLevel: 'info',
  /** @defaultValue 65536 */
  maxBodyBytes: 65_536,
  /**
   * @defaultValue 2 — at 1,000 commands/s the pipeline worker used a third of a core on batches of
   * one or two records; 2 ms more propagation latency buys it back (docs/performance.md, round 4).
   */
  pipelineLingerMs: 2,
  /**
   * @defaultValue 5 — when the HTTP thread and the pipeline worker both want a core, the request
   * gets it first; the pipelines catch up in between (docs/performance.md, round 4).
   */
  pipelineNice: 5,
  /** @defaultValue 86400 — a day, as the IETF draft and Stripe suggest */
  idempotencyTtlSeconds: 86_400,
  /** @defaultValue 10000 — a body shorter than its Content-Length is answered 408 after 10 s */
  bodyTimeoutMs: 10_000,
};

/** `npm start -- --help`: every flag with its variable and default. */
export const LOCAL_SERVER_USAGE = `Usage: npm start -- [options]

Runs the Nexus system (HTTP API and pipelines): embedded by default, its data in one directory.
Each flag can also be set by the environment variable after it; a flag wins over its variable.

Options:
  --backend <name>           NEXUS_BACKEND             embedded (SQLite) or aws (AWS services; see below) (default ${LOCAL_SERVER_DEFAULTS.backend})
  --port <n>                 PORT                      TCP port, 0 picks a free one (default ${LOCAL_SERVER_DEFAULTS.port})
  --host <name>              HOST                      address or host name to listen on (default ${LOCAL_SERVER_DEFAULTS.host})
  --data-dir <dir>           NEXUS_DATA_DIR            directory of the SQLite files, created when missing (default ${LOCAL_SERVER_DEFAULTS.dataDir});
                                                       with --backend aws it holds only the generated jwt-secret
  --log-level <level>        NEXUS_LOG_LEVEL           debug, info, warn, error or silent (default ${LOCAL_SERVER_DEFAULTS.logLevel})
  --max-body-bytes <n>       NEXUS_MAX_BODY_BYTES      largest request body (default ${LOCAL_SERVER_DEFAULTS.maxBodyBytes})
  --pipeline-linger-ms <n>   NEXUS_PIPELINE_LINGER_MS  wait after a partial pipeline batch (default ${LOCAL_SERVER_DEFAULTS.pipelineLingerMs})
  --pipeline-nice <n>        NEXUS_PIPELINE_NICE       nice value of the pipeline worker thread (default ${LOCAL_SERVER_DEFAULTS.pipelineNice})
  --idempotency-ttl <s>      NEXUS_IDEMPOTENCY_TTL     seconds an Idempotency-Key's response is kept (default ${LOCAL_SERVER_DEFAULTS.idempotencyTtlSeconds})
  --body-timeout-ms <n>      NEXUS_BODY_TIMEOUT_MS     longest a request body may take to arrive, then 408 (default ${LOCAL_SERVER_DEFAULTS.bodyTimeoutMs})
  --pipelines <names>        NEXUS_PIPELINES           run only these pipelines, comma-separated (default every one: ${declaredPipelines.map((p) => p.name).join(', ')});
                                                       the others keep their checkpoints and catch up when run again; the saga
                                                       timer runs only with a saga pipeline
  --temporal-continuation-key <key>
                             NEXUS_TEMPORAL_CONTINUATION_KEY
                                                       key (at least 32 bytes) signing temporal-query continuations, the same on every
                                                       instance (default <data dir>/temporal-continuation-key, generated once;
                                                       prefer the variable: a flag is visible to other users in ps)
  -h, --help                                           show this help
  -V, --version                                        show the version

Authentication (variables only): NEXUS_JWKS_URL, or NEXUS_JWT_SECRET, else <data dir>/jwt-secret;
NEXUS_JWT_ISSUER, NEXUS_JWT_AUDIENCE, NEXUS_JWT_ROLES_CLAIM (claim holding the roles,
e.g. cognito:groups), NEXUS_JWT_MAX_TTL (longest accepted token lifetime, default 24h).

Live notifications at ws://<host>:<port>/ws (variables only): NEXUS_WS_MAX_PER_SECOND (frames
per second per client, 1-100000, default 100), NEXUS_WS_POLL_MS (how often the notification log
is read while clients are connected, 5-10000, default 50).

Exit codes: 0 stopped by a signal, 1 the server could not start or run (port, host, data
directory, database), 2 a setting was refused.`;

/** A setting that cannot be used; the message names the flag or variable. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const BACKENDS: readonly LocalServerConfig['backend'][] = ['embedded', 'aws'];

/**
 * Reads the configuration from command-line flags, then environment variables, then defaults:
 * `--backend`/NEXUS_BACKEND, `--port`/PORT, `--host`/HOST, `--data-dir`/NEXUS_DATA_DIR, `--log-level`/NEXUS_LOG_LEVEL,
 * `--max-body-bytes`/NEXUS_MAX_BODY_BYTES, `--pipeline-linger-ms`/NEXUS_PIPELINE_LINGER_MS, `--pipeline-nice`/NEXUS_PIPELINE_NICE,
 * `--idempotency-ttl`/NEXUS_IDEMPOTENCY_TTL, `--body-timeout-ms`/NEXUS_BODY_TIMEOUT_MS,
 * `--temporal-continuation-key`/NEXUS_TEMPORAL_CONTINUATION_KEY (at least 32 bytes),
 * `--pipelines`/NEXUS_PIPELINES (comma-separated names of declared pipelines).
 */
export function readLocalServerConfig(argv: string[], env: NodeJS.ProcessEnv): LocalServerConfig {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        backend: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'pipeline-linger-ms': { type: 'string' },
        'pipeline-nice': { type: 'string' },
        'idempotency-ttl': { type: 'string' },
        'body-timeout-ms': { type: 'string' },
        'temporal-continuation-key': { type: 'string' },
        pipelines: { type: 'string' },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (cause) {
    throw new ConfigError(cause instanceof Error ? cause.message : String(cause));
  }
  const pick = (flag: string, variable: string): { value: string; source: string } | undefined => {
    if (values[flag] !== undefined) return { value: values[flag], source: `--${flag}` };
    if (env[variable] !== undefined && env[variable] !== '') return { value: env[variable], source: variable };
    return undefined;
  };
  const port = pick('port', 'PORT');
  const maxBody = pick('max-body-bytes', 'NEXUS_MAX_BODY_BYTES');
  const logLevel = pick('log-level', 'NEXUS_LOG_LEVEL');
  const linger = pick('pipeline-linger-ms', 'NEXUS_PIPELINE_LINGER_MS');
  const nice = pick('pipeline-nice', 'NEXUS_PIPELINE_NICE');
  const idempotencyTtl = pick('idempotency-ttl', 'NEXUS_IDEMPOTENCY_TTL');
  const bodyTimeout = pick('body-timeout-ms', 'NEXUS_BODY_TIMEOUT_MS');
  const backend = pick('backend', 'NEXUS_BACKEND');
  const continuationKey = pick('temporal-continuation-key', 'NEXUS_TEMPORAL_CONTINUATION_KEY');
  const pipelineNames = pick('pipelines', 'NEXUS_PIPELINES');
  return {
    backend: backend ? oneOf(backend, BACKENDS) : LOCAL_SERVER_DEFAULTS.backend,
    port: port ? integerIn(port, 0, 65_535) : LOCAL_SERVER_DEFAULTS.port,
    host: pick('host', 'HOST')?.value ?? LOCAL_SERVER_DEFAULTS.host,
    dataDir: pick('data-dir', 'NEXUS_DATA_DIR')?.value ?? LOCAL_SERVER_DEFAULTS.dataDir,
    logLevel: logLevel ? oneOf(logLevel, LOG_LEVELS) : LOCAL_SERVER_DEFAULTS.logLevel,
    maxBodyBytes: maxBody ? integerIn(maxBody, 1, 10 * 1024 * 1024) : LOCAL_SERVER_DEFAULTS.maxBodyBytes,
    pipelineLingerMs: linger ? integerIn(linger, 0, 1_000) : LOCAL_SERVER_DEFAULTS.pipelineLingerMs,
    pipelineNice: nice ? integerIn(nice, 0, 19) : LOCAL_SERVER_DEFAULTS.pipelineNice,
    idempotencyTtlSeconds: idempotencyTtl ? integerIn(idempotencyTtl, 1, 30 * 86_400) : LOCAL_SERVER_DEFAULTS.idempotencyTtlSeconds,
    bodyTimeoutMs: bodyTimeout ? integerIn(bodyTimeout, 100, 600_000) : LOCAL_SERVER_DEFAULTS.bodyTimeoutMs,
    ...(continuationKey ? { temporalContinuationKey: temporalContinuationKeyOf(continuationKey.value, continuationKey.source) } : {}),
    ...(pipelineNames ? { pipelines: pipelineNamesOf(pipelineNames) } : {}),
  };
}

/**
 * `value` as the key of temporal continuations, refused with a {@link ConfigError} naming
 * `source` (its flag or variable) when shorter than 32 bytes.
 */
export function temporalContinuationKeyOf(value: string, source: string): string {
  if (!isLongEnoughContinuationKey(value)) {
    throw new ConfigError(`${source} must be at least ${MIN_TEMPORAL_CONTINUATION_KEY_BYTES} bytes long (e.g. openssl rand -base64 32)`);
  }
  return value;
}

/** The integer `setting` holds, from `min` to `max`; else a ConfigError naming its flag or variable. */
export function integerIn(setting: { value: string; source: string }, min: number, max: number): number {
  const parsed = Number(setting.value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${setting.source} must be an integer from ${min} to ${max}; got "${setting.value}"`);
  }
  return parsed;
}

/** The declared pipelines `setting` names (comma-separated, at least one); else a ConfigError naming its flag or variable. */
function pipelineNamesOf(setting: { value: string; source: string }): string[] {
  const names = [...new Set(setting.value.split(',').map((name) => name.trim()))];
  if (names.some((name) => name === '')) throw new ConfigError(`${setting.source} must list pipeline names separated by commas; got "${setting.value}"`);
  try {
    selectPipelines(declaredPipelines, names, setting.source);
  } catch (error) {
    if (error instanceof UnknownPipelineError) throw new ConfigError(error.message);
    throw error;
  }
  return names;
}

function oneOf<T extends string>(setting: { value: string; source: string }, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(setting.value)) {
    throw new ConfigError(`${setting.source} must be one of ${allowed.join(', ')}; got "${setting.value}"`);
  }
  return setting.value as T;
}
