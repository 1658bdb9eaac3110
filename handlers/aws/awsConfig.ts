/**
 * Settings of `npm start -- --backend aws`: where the AWS services are and what Nexus's resources
 * are called. Every name has a default derived from the stage (`nexus-<stage>-events`, ...), so
 * one `--stage` points a server at one deployment; each can be overridden by its flag or variable.
 */
import { hostname } from 'node:os';
import { ConfigError, integerIn, temporalContinuationKeyOf } from '../local/config';
import { TEMPORAL_CONTINUATION_KEY_VARIABLE } from '../local/temporalContinuationKey';

/** The AWS services Nexus calls, each of which may have its own endpoint override. */
export const AWS_SERVICES = ['dynamodb', 'streams', 'kinesis', 'glue', 'sns', 'sqs'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** The names of Nexus's AWS resources. */
export interface AwsResourceNames {
  eventsTable: string;
  idempotencyTable: string;
  rateLimitsTable: string;
  /** Pipeline checkpoints of the Lambda runners; the polling runners checkpoint in their leases. */
  checkpointsTable: string;
  deadLettersTable: string;
  leasesTable: string;
  /** Aggregate snapshots (TTL `expiresAt`). */
  snapshotsTable: string;
  /** Read-model versions of rebuilt projections (`nexus projections`; no function reads it). */
  readModelVersionsTable: string;
  /** WebSocket connections and their subscriptions (live notifications; TTL `expiresAt`). */
  connectionsTable: string;
  /** Recent document changes per resource type, for resuming subscriptions (TTL `expiresAt`). */
  notificationLogTable: string;
  /** The due dates of sagas' in-flight steps (the saga timer's sweep). */
  sagaDeadlinesTable: string;
  /** The Kinesis stream behind the `core` stream. */
  coreStream: string;
  glueRegistry: string;
  /** OpenSearch index prefix: collection `orders` is the alias `<prefix>orders` over the index `<prefix>orders-v<n>`. */
  indexPrefix: string;
}

/** How OpenSearch requests are authenticated. */
export const OPENSEARCH_AUTH_MODES = ['none', 'sigv4'] as const;
export type OpenSearchAuth = (typeof OPENSEARCH_AUTH_MODES)[number];

/** Settings of the AWS backend. */
export interface AwsBackendConfig {
  stage: string;
  /** @defaultValue the SDK's own resolution (AWS_REGION, AWS_DEFAULT_REGION, the profile) */
  region?: string;
  /**
   * The AWS account the SNS topics and SQS queues live in (their ARNs are derived from it);
   * absent: the non-critical path (router topics, subscriber-queue pipelines) is off.
   */
  accountId?: string;
  /** Endpoint overrides per service (moto, VPC endpoints); absent: the regional AWS endpoint. */
  endpoints: Partial<Record<AwsService, string>>;
  names: AwsResourceNames;
  openSearchEndpoint: string;
  /**
   * The WebSocket API's connection management URL (`https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`),
   * where notifications are posted; absent: pipelines publish no notifications (the WebSocket
   * handlers then use the URL their events name).
   */
  webSocketEndpoint?: string;
  /** How OpenSearch requests are authenticated: `sigv4` signs them (service `es`) with the SDK's credentials, as an Amazon OpenSearch Service domain wants. */
  openSearchAuth: OpenSearchAuth;
  /** Replicas of each new read-model index (0 on a single node, e.g. `npm run engines`). */
  openSearchReplicas: number;
  /** This process's id among the pipeline workers sharing the shards. */
  workerId: string;
  /** Pause of a shard loop after a read that found nothing new. */
  pollIdleMs: number;
  /** How often leases are synced, renewed and taken. */
  leaseTickMs: number;
  /** How long a lease that is not renewed is honoured (at least 3 lease ticks). */
  leaseDurationMs: number;
}

/** Defaults of the AWS backend that do not derive from the stage. */
export const AWS_BACKEND_DEFAULTS = {
  /** @defaultValue 'dev' */
  stage: 'dev',
  /** @defaultValue 'http://127.0.0.1:9200' */
  openSearchEndpoint: 'http://127.0.0.1:9200',
  /** @defaultValue 'none' */
  openSearchAuth: 'none' as OpenSearchAuth,
  /** @defaultValue 1 — a replica per index, as a production cluster wants */
  openSearchReplicas: 1,
  /** @defaultValue 1000 — Kinesis allows 5 reads per second per shard, shared by every consumer */
  pollIdleMs: 1000,
  /** @defaultValue 3000 */
  leaseTickMs: 3000,
  /** @defaultValue 10000 */
  leaseDurationMs: 10_000,
} as const;

/**
 * The resource names of a stage: `nexus-<stage>-events`, `-idempotency`, `-rate-limits`,
 * `-checkpoints`, `-dead-letters`, `-leases`, `-snapshots`, `-read-model-versions`, `-connections`, `-notification-log`, `-core` (Kinesis), `-schemas` (Glue) and the index
 * prefix `nexus-<stage>-read-model-`. `npm run engines` creates exactly these.
 */
export function awsResourceNames(stage: string): AwsResourceNames {
  const prefix = `nexus-${stage}-`;
  return {
    eventsTable: `${prefix}events`,
    idempotencyTable: `${prefix}idempotency`,
    rateLimitsTable: `${prefix}rate-limits`,
    checkpointsTable: `${prefix}checkpoints`,
    deadLettersTable: `${prefix}dead-letters`,
    leasesTable: `${prefix}leases`,
    snapshotsTable: `${prefix}snapshots`,
    readModelVersionsTable: `${prefix}read-model-versions`,
    connectionsTable: `${prefix}connections`,
    notificationLogTable: `${prefix}notification-log`,
    sagaDeadlinesTable: `${prefix}saga-deadlines`,
    coreStream: `${prefix}core`,
    glueRegistry: `${prefix}schemas`,
    indexPrefix: `${prefix}read-model-`,
  };
}

interface Setting {
  flag: string;
  variable: string;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const REGISTRY_NAME = /^[A-Za-z0-9_$#.-]{1,255}$/;
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]{0,100}$/;
const STAGE = /^[a-z0-9][a-z0-9-]{0,30}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Each resource name's flag and variable; the rules say what each AWS service accepts. */
const NAME_SETTINGS: Record<keyof AwsResourceNames, Setting & { rule: RegExp; what: string }> = {
  eventsTable: { flag: 'events-table', variable: 'NEXUS_EVENTS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  idempotencyTable: { flag: 'idempotency-table', variable: 'NEXUS_IDEMPOTENCY_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  rateLimitsTable: { flag: 'rate-limits-table', variable: 'NEXUS_RATE_LIMITS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  checkpointsTable: { flag: 'checkpoints-table', variable: 'NEXUS_CHECKPOINTS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  deadLettersTable: { flag: 'dead-letters-table', variable: 'NEXUS_DEAD_LETTERS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  leasesTable: { flag: 'leases-table', variable: 'NEXUS_LEASES_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  snapshotsTable: { flag: 'snapshots-table', variable: 'NEXUS_SNAPSHOTS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  readModelVersionsTable: { flag: 'read-model-versions-table', variable: 'NEXUS_READ_MODEL_VERSIONS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  connectionsTable: { flag: 'connections-table', variable: 'NEXUS_CONNECTIONS_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  notificationLogTable: { flag: 'notification-log-table', variable: 'NEXUS_NOTIFICATION_LOG_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  sagaDeadlinesTable: { flag: 'saga-deadlines-table', variable: 'NEXUS_SAGA_DEADLINES_TABLE', rule: TABLE_NAME, what: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' },
  coreStream: { flag: 'core-stream', variable: 'NEXUS_CORE_STREAM', rule: STREAM_NAME, what: 'a Kinesis stream name (1-128 of A-Z a-z 0-9 _ . -)' },
  glueRegistry: { flag: 'glue-registry', variable: 'NEXUS_GLUE_REGISTRY', rule: REGISTRY_NAME, what: 'a Glue registry name (1-255 of A-Z a-z 0-9 _ $ # . -)' },
  indexPrefix: { flag: 'index-prefix', variable: 'NEXUS_OPENSEARCH_INDEX_PREFIX', rule: INDEX_PREFIX, what: 'an OpenSearch index prefix (lower case a-z 0-9 _ -, not starting with _ or -)' },
};

const ENDPOINT_SETTINGS: Record<AwsService, Setting> = {
  dynamodb: { flag: 'dynamodb-endpoint', variable: 'NEXUS_DYNAMODB_ENDPOINT' },
  streams: { flag: 'streams-endpoint', variable: 'NEXUS_DYNAMODB_STREAMS_ENDPOINT' },
  kinesis: { flag: 'kinesis-endpoint', variable: 'NEXUS_KINESIS_ENDPOINT' },
  glue: { flag: 'glue-endpoint', variable: 'NEXUS_GLUE_ENDPOINT' },
  sns: { flag: 'sns-endpoint', variable: 'NEXUS_SNS_ENDPOINT' },
  sqs: { flag: 'sqs-endpoint', variable: 'NEXUS_SQS_ENDPOINT' },
};

const OTHER_SETTINGS = {
  stage: { flag: 'stage', variable: 'NEXUS_STAGE' },
  region: { flag: 'region', variable: 'AWS_REGION' },
  accountId: { flag: 'aws-account-id', variable: 'NEXUS_AWS_ACCOUNT_ID' },
  endpoint: { flag: 'aws-endpoint', variable: 'NEXUS_AWS_ENDPOINT' },
  openSearchEndpoint: { flag: 'opensearch-endpoint', variable: 'NEXUS_OPENSEARCH_ENDPOINT' },
  webSocketEndpoint: { flag: 'websocket-endpoint', variable: 'NEXUS_WEBSOCKET_ENDPOINT' },
  openSearchAuth: { flag: 'opensearch-auth', variable: 'NEXUS_OPENSEARCH_AUTH' },
  openSearchReplicas: { flag: 'opensearch-replicas', variable: 'NEXUS_OPENSEARCH_REPLICAS' },
  workerId: { flag: 'worker-id', variable: 'NEXUS_WORKER_ID' },
  pollIdleMs: { flag: 'poll-idle-ms', variable: 'NEXUS_POLL_IDLE_MS' },
  leaseTickMs: { flag: 'lease-tick-ms', variable: 'NEXUS_LEASE_TICK_MS' },
  leaseDurationMs: { flag: 'lease-duration-ms', variable: 'NEXUS_LEASE_DURATION_MS' },
} satisfies Record<string, Setting>;

const AWS_FLAGS = new Set([...Object.values(NAME_SETTINGS), ...Object.values(ENDPOINT_SETTINGS), ...Object.values(OTHER_SETTINGS)].map((setting) => setting.flag));

/**
 * Splits `argv` into the AWS backend's flags (`--flag value` or `--flag=value`) and the rest,
 * which the server's own configuration reads (and refuses when unknown).
 */
export function takeAwsFlags(argv: readonly string[]): { aws: Map<string, string>; rest: string[] } {
  const aws = new Map<string, string>();
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    const [name = '', inline] = argument.startsWith('--') ? splitOnce(argument.slice(2)) : [''];
    if (!AWS_FLAGS.has(name)) {
      rest.push(argument);
      continue;
    }
    const value = inline ?? argv[index + 1];
    if (inline === undefined) index += 1;
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new ConfigError(`--${name} needs a value`);
    aws.set(name, value);
  }
  return { aws, rest };
}

/**
 * Reads the AWS backend's settings from the flags taken by {@link takeAwsFlags}, then the
 * environment, then the defaults (names from `--stage`). A value that cannot be used is refused
 * with a {@link ConfigError} naming its flag or variable (exit code 2).
 */
export function readAwsBackendConfig(flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): AwsBackendConfig {
  const pick = (setting: Setting): { value: string; source: string } | undefined => {
    const flagged = flags.get(setting.flag);
    if (flagged !== undefined) return { value: flagged, source: `--${setting.flag}` };
    const variable = env[setting.variable];
    return variable !== undefined && variable !== '' ? { value: variable, source: setting.variable } : undefined;
  };
  const stage = matching(pick(OTHER_SETTINGS.stage), STAGE, 'a stage name (lower case a-z 0-9 -, at most 31)') ?? AWS_BACKEND_DEFAULTS.stage;
  const defaults = awsResourceNames(stage);
  const names = Object.fromEntries(
    (Object.keys(NAME_SETTINGS) as (keyof AwsResourceNames)[]).map((key) => {
      const setting = NAME_SETTINGS[key];
      return [key, matching(pick(setting), setting.rule, setting.what) ?? defaults[key]];
    }),
  ) as unknown as AwsResourceNames;
  const shared = url(pick(OTHER_SETTINGS.endpoint));
  const endpoints: Partial<Record<AwsService, string>> = {};
  for (const service of AWS_SERVICES) {
    const endpoint = url(pick(ENDPOINT_SETTINGS[service])) ?? shared;
    if (endpoint !== undefined) endpoints[service] = endpoint;
  }
  const region = matching(pick(OTHER_SETTINGS.region) ?? pick({ flag: 'region', variable: 'AWS_DEFAULT_REGION' }), REGION, 'an AWS region such as eu-west-1');
  const leaseTickMs = optionalIntegerIn(pick(OTHER_SETTINGS.leaseTickMs), 10, 60_000) ?? AWS_BACKEND_DEFAULTS.leaseTickMs;
  const leaseDuration = pick(OTHER_SETTINGS.leaseDurationMs);
  const leaseDurationMs = optionalIntegerIn(leaseDuration, 100, 600_000) ?? AWS_BACKEND_DEFAULTS.leaseDurationMs;
  // A lease renewed less often than a third of its duration is taken over under a live worker.
  if (leaseDurationMs < 3 * leaseTickMs) {
    throw new ConfigError(`${leaseDuration?.source ?? '--lease-duration-ms'} must be at least 3 lease ticks (${3 * leaseTickMs} ms with --lease-tick-ms ${leaseTickMs}); got ${leaseDurationMs}`);
  }
  const accountId = matching(pick(OTHER_SETTINGS.accountId), /^\d{12}$/, 'a 12-digit AWS account id');
  const webSocketEndpoint = url(pick(OTHER_SETTINGS.webSocketEndpoint));
  const workerId = matching(pick(OTHER_SETTINGS.workerId), /^[\x21-\x7e]{1,128}$/, '1-128 printable characters without spaces');
  return {
    stage,
    ...(region === undefined ? {} : { region }),
    ...(accountId === undefined ? {} : { accountId }),
    ...(webSocketEndpoint === undefined ? {} : { webSocketEndpoint }),
    endpoints,
    names,
    openSearchEndpoint: url(pick(OTHER_SETTINGS.openSearchEndpoint)) ?? AWS_BACKEND_DEFAULTS.openSearchEndpoint,
    openSearchAuth: (matching(pick(OTHER_SETTINGS.openSearchAuth), /^(none|sigv4)$/, `one of ${OPENSEARCH_AUTH_MODES.join(', ')}`) as OpenSearchAuth | undefined) ?? AWS_BACKEND_DEFAULTS.openSearchAuth,
    openSearchReplicas: optionalIntegerIn(pick(OTHER_SETTINGS.openSearchReplicas), 0, 10) ?? AWS_BACKEND_DEFAULTS.openSearchReplicas,
    workerId: workerId ?? `${hostname()}-${process.pid}`,
    pollIdleMs: optionalIntegerIn(pick(OTHER_SETTINGS.pollIdleMs), 10, 60_000) ?? AWS_BACKEND_DEFAULTS.pollIdleMs,
    leaseTickMs,
    leaseDurationMs,
  };
}

/** `--help` text of the AWS backend's settings (appended to the server's usage). */
export const AWS_BACKEND_USAGE = `With --backend aws (NEXUS_BACKEND=aws): the same HTTP app and pipelines on AWS services.
Resource names default to nexus-<stage>-<name>; \`npm run engines\` creates them on local engines.
  --stage <name>               NEXUS_STAGE                    names every resource below (default ${AWS_BACKEND_DEFAULTS.stage})
  --region <region>            AWS_REGION                     AWS region (default: AWS_DEFAULT_REGION, then the SDK's profile)
  --aws-account-id <id>        NEXUS_AWS_ACCOUNT_ID           account of the SNS topics and SQS queues (nexus-<stage>-order-events, ...);
                                                              unset: router topics and subscriber-queue pipelines are off
  --aws-endpoint <url>         NEXUS_AWS_ENDPOINT             one endpoint for every AWS service (moto); default the regional ones
  --<service>-endpoint <url>   NEXUS_<SERVICE>_ENDPOINT       per service: dynamodb, streams (NEXUS_DYNAMODB_STREAMS_ENDPOINT), kinesis, glue, sns, sqs
  --events-table <name>        NEXUS_EVENTS_TABLE             (default nexus-<stage>-events)
  --idempotency-table <name>   NEXUS_IDEMPOTENCY_TABLE        (default nexus-<stage>-idempotency)
  --rate-limits-table <name>   NEXUS_RATE_LIMITS_TABLE        (default nexus-<stage>-rate-limits)
  --checkpoints-table <name>   NEXUS_CHECKPOINTS_TABLE        (default nexus-<stage>-checkpoints; Lambda runners)
  --dead-letters-table <name>  NEXUS_DEAD_LETTERS_TABLE       (default nexus-<stage>-dead-letters)
  --leases-table <name>        NEXUS_LEASES_TABLE             shard leases of the polling runners (default nexus-<stage>-leases)
  --snapshots-table <name>     NEXUS_SNAPSHOTS_TABLE          aggregate snapshots (default nexus-<stage>-snapshots)
  --read-model-versions-table <name>  NEXUS_READ_MODEL_VERSIONS_TABLE  rebuilt projections' versions (default nexus-<stage>-read-model-versions)
  --connections-table <name>   NEXUS_CONNECTIONS_TABLE        WebSocket connections and subscriptions (default nexus-<stage>-connections)
  --notification-log-table <name>  NEXUS_NOTIFICATION_LOG_TABLE  recent changes, for resuming subscriptions (default nexus-<stage>-notification-log)
  --saga-deadlines-table <name>  NEXUS_SAGA_DEADLINES_TABLE  due dates of sagas' steps (default nexus-<stage>-saga-deadlines)
  --websocket-endpoint <url>   NEXUS_WEBSOCKET_ENDPOINT       the WebSocket API's management URL; unset: pipelines publish no notifications
  --core-stream <name>         NEXUS_CORE_STREAM              Kinesis stream of core events (default nexus-<stage>-core)
  --glue-registry <name>       NEXUS_GLUE_REGISTRY            Glue Schema Registry (default nexus-<stage>-schemas)
  --opensearch-endpoint <url>  NEXUS_OPENSEARCH_ENDPOINT      (default ${AWS_BACKEND_DEFAULTS.openSearchEndpoint})
  --opensearch-auth <mode>     NEXUS_OPENSEARCH_AUTH          none, or sigv4: sign requests (service es) with the AWS credentials (default ${AWS_BACKEND_DEFAULTS.openSearchAuth})
  --index-prefix <prefix>      NEXUS_OPENSEARCH_INDEX_PREFIX  read-model indices (default nexus-<stage>-read-model-)
  --opensearch-replicas <n>    NEXUS_OPENSEARCH_REPLICAS      replicas of a new index (default ${AWS_BACKEND_DEFAULTS.openSearchReplicas})
  --worker-id <id>             NEXUS_WORKER_ID                this worker among those sharing the shards (default <host>-<pid>)
  --poll-idle-ms <n>           NEXUS_POLL_IDLE_MS             pause after an empty shard read (default ${AWS_BACKEND_DEFAULTS.pollIdleMs})
  --lease-tick-ms <n>          NEXUS_LEASE_TICK_MS            lease sync and renewal period (default ${AWS_BACKEND_DEFAULTS.leaseTickMs})
  --lease-duration-ms <n>      NEXUS_LEASE_DURATION_MS        a lease not renewed this long is taken over (default ${AWS_BACKEND_DEFAULTS.leaseDurationMs})
AWS credentials come from the SDK's usual chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, a role).`;

/**
 * The API function's key of temporal continuations, from NEXUS_TEMPORAL_CONTINUATION_KEY (the
 * stack passes its TemporalContinuationKey secret there). Required: a key generated per
 * container would make every other container refuse the tokens this one issues.
 */
export function lambdaContinuationKeyOf(env: NodeJS.ProcessEnv): string {
  const value = env[TEMPORAL_CONTINUATION_KEY_VARIABLE];
  if (value === undefined || value === '') {
    throw new ConfigError(`the API function needs ${TEMPORAL_CONTINUATION_KEY_VARIABLE} (the stack's TemporalContinuationKey secret): a key generated per container would refuse the others' continuations`);
  }
  return temporalContinuationKeyOf(value, TEMPORAL_CONTINUATION_KEY_VARIABLE);
}

function splitOnce(text: string): [string, string | undefined] {
  const at = text.indexOf('=');
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function matching(setting: { value: string; source: string } | undefined, rule: RegExp, what: string): string | undefined {
  if (setting === undefined) return undefined;
  if (!rule.test(setting.value)) throw new ConfigError(`${setting.source} must be ${what}; got "${setting.value}"`);
  return setting.value;
}

function url(setting: { value: string; source: string } | undefined): string | undefined {
  if (setting === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(setting.value);
  } catch {
    throw new ConfigError(`${setting.source} must be an http(s) URL; got "${setting.value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${setting.source} must be an http(s) URL; got "${setting.value}"`);
  return setting.value.replace(/\/+$/, '');
}

function optionalIntegerIn(setting: { value: string; source: string } | undefined, min: number, max: number): number | undefined {
  return setting === undefined ? undefined : integerIn(setting, min, max);
}
