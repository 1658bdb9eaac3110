/**
 * Composition root of the AWS backend: the same command service, HTTP dependencies and declared
 * pipelines as the embedded system (handlers/local/embeddedSystem.ts), over DynamoDB (events,
 * idempotency keys, rate limits, dead letters, leases), DynamoDB Streams, Kinesis, SNS -> SQS
 * (with an account id), the Glue Schema Registry and OpenSearch. Pipelines run in this process through polling runners
 * (handlers/aws/awsPipelines.ts). Used by `npm start -- --backend aws`, the CLI and the tests.
 */
import { resolve } from 'node:path';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import { DynamoDbEventStore } from '../../adapters/aws/DynamoDbEventStore';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/DynamoDbIdempotencyStore';
import { DynamoDbRateLimitStore } from '../../adapters/aws/DynamoDbRateLimitStore';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import { OpaWasmAuthorizer } from '../../adapters/opa';
import type { Authorizer } from '../../core/auth/Authorizer';
import type { RateLimitStore } from '../../core/auth/RateLimitStore';
import { CommandService } from '../../core/command/CommandService';
import type { DeadLetterStore } from '../../core/deadletter/DeadLetterStore';
import type { EventStore } from '../../core/events/EventStore';
import type { IdempotencyStore } from '../../core/idempotency/IdempotencyStore';
import type { Logger } from '../../core/logging/Logger';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { PipelineMetrics } from '../../core/pipeline/PipelineMetrics';
import type { ReadModelStore } from '../../core/readmodel/ReadModelStore';
import { collectionOf, collectionOptionsOf } from '../../core/readmodel/ReadModelDeclaration';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import type { SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import type { EventCodec } from '../../core/schema/EventCodec';
import { loadSchemaCatalog } from '../../core/schema/SchemaCatalog';
import type { SchemaCatalog } from '../../core/schema/SchemaCatalog';
import { syncSchemas } from '../../core/schema/syncSchemas';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { aggregates, orderListReadModel, orderUpcasters } from '../../domain';
import { runsSagas, selectPipelines } from '../../core/pipeline/selectPipelines';
import { pipelines as declaredPipelines, sagas as declaredSagas, topics as declaredTopics } from '../../pipelines';
import { createAwsClients } from './awsClients';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';
import { openAwsMessaging } from './awsMessaging';
import { wireAwsPipelines } from './awsPipelines';
import { awsNotifications } from './awsNotifications';
import { awsPreflight } from './awsPreflight';
import { awsSnapshots } from './awsSnapshots';
import { awsSagas } from './awsSagas';
import type { AwsSagas } from './awsSagas';
import type { AwsSnapshots } from './awsSnapshots';

/** Options of {@link openAwsSystem}. */
export interface AwsSystemOptions {
  config: AwsBackendConfig;
  logger: Logger;
  /** @defaultValue the repository's schemas/ directory */
  schemasDir?: string;
  /** The compiled runtime policies. @defaultValue the repository's policies/build/runtime.wasm */
  policyWasmPath?: string;
  /** @defaultValue every pipeline in pipelines/ */
  pipelines?: readonly PipelineDefinition[];
  /** Runs only the pipelines of these names, in declaration order; the saga timer only with a saga pipeline. @defaultValue every one */
  pipelineNames?: readonly string[];
  /** How long an `Idempotency-Key` is remembered. @defaultValue 86400 */
  idempotencyTtlSeconds?: number;
}

/** The wired AWS system: what the HTTP app, the CLI and the pipelines need. */
export interface AwsSystem {
  logger: Logger;
  codec: EventCodec;
  eventStore: EventStore;
  readModels: ReadModelStore;
  deadLetters: DeadLetterStore;
  commands: CommandService;
  upcasters: UpcasterRegistry;
  authorizer: Authorizer;
  rateLimits: RateLimitStore;
  idempotency: IdempotencyStore;
  /** The declared pipelines (those skipped on this backend included, for the CLI). */
  pipelines: PipelineDefinition[];
  contextFor(pipelineName: string): PipelineContext;
  /** A declared subscriber queue (SQS), for the CLI; throws when SNS/SQS are not wired (no account id) or the queue is unknown. */
  queueFor(queueName: string): SubscriberQueue;
  /** Starts the runners (lease loops, queue receivers); logs the pipelines that do not run here. */
  startPipelines(): Promise<void>;
  /** Each running pipeline's metrics by name. */
  pipelineMetrics(): Record<string, PipelineMetrics>;
  /** Stops the runners (releasing their leases) and the clients. */
  close(): Promise<void>;
}

const REPOSITORY_SCHEMAS = resolve(__dirname, '..', '..', 'schemas');
const REPOSITORY_POLICY = resolve(__dirname, '..', '..', 'policies', 'build', 'runtime.wasm');

/**
 * Checks that every resource exists (see {@link awsPreflight}), feeds the Glue registry from
 * schemas/ (lookup first, as embedded) and wires everything; the runners start with
 * `startPipelines`. Fails with `AWS_RESOURCE_UNAVAILABLE` naming a missing resource's flag.
 */
export async function openAwsSystem(options: AwsSystemOptions): Promise<AwsSystem> {
  const { config, logger } = options;
  const clients = createAwsClients(config);
  try {
    const { eventsStreamArn } = await awsPreflight(clients, config);
    const catalog = loadSchemaCatalog(options.schemasDir ?? REPOSITORY_SCHEMAS);
    const parts = createAwsSystemParts({ clients, config, logger, catalog, ...(options.idempotencyTtlSeconds === undefined ? {} : { idempotencyTtlSeconds: options.idempotencyTtlSeconds }) });
    await syncSchemas(parts.registry, catalog, logger);
    const { codec, upcasters, eventStore, idempotency, rateLimits, deadLetters, readModels, commands } = parts;
    const authorizer = await OpaWasmAuthorizer.fromFile(options.policyWasmPath ?? REPOSITORY_POLICY);
    const pipelines = selectPipelines(options.pipelines ?? declaredPipelines, options.pipelineNames);
    const accountId = config.accountId;
    const messaging = accountId === undefined ? undefined : await openAwsMessaging(clients, { ...config, accountId }, declaredTopics);
    // With --websocket-endpoint, pipelines that notify post to that WebSocket API's connections.
    const notifications = config.webSocketEndpoint === undefined ? undefined : awsNotifications(clients, config, logger);
    const publisher = notifications?.publisher;
    const wiring = wireAwsPipelines({ clients, config, eventsStreamArn, codec, upcasters, readModels, deadLetters, logger, pipelines, ...(messaging ? { messaging } : {}), ...(publisher ? { notifications: publisher } : {}), sagas: parts.sagas.ports });
    let closed = false;
    let stopSagaSweeps: (() => void) | undefined;
    return {
      logger,
      codec,
      eventStore,
      readModels,
      deadLetters,
      commands,
      upcasters,
      authorizer,
      rateLimits,
      idempotency,
      queueFor: (queueName) => {
        if (!messaging) throw new TypeError('SNS and SQS are not wired on this backend without --aws-account-id (NEXUS_AWS_ACCOUNT_ID)');
        return messaging.queueFor(queueName);
      },
      pipelines,
      contextFor: wiring.contextFor,
      startPipelines: async () => {
        if (!messaging) logger.info('the router sends no messages to topics: SNS and SQS are not wired without --aws-account-id (NEXUS_AWS_ACCOUNT_ID); the core stream gets every event');
        for (const { name, reason } of wiring.skipped) logger.info(`pipeline ${name} does not run on the AWS backend: ${reason}`, { pipeline: name });
        for (const runner of wiring.runners) await runner.start();
        // Outside Lambda the server times sagas' steps out itself, as the embedded system does.
        if (runsSagas(pipelines)) stopSagaSweeps ??= parts.sagas.timer.startSweeping();
      },
      pipelineMetrics: () => Object.fromEntries(wiring.runners.map((runner) => [runner.name, runner.metrics()])),
      close: async () => {
        if (closed) return;
        closed = true;
        stopSagaSweeps?.();
        await Promise.all(wiring.runners.map((runner) => runner.stop()));
        await parts.snapshots.scheduler.close();
        notifications?.destroy();
        await clients.destroy();
      },
    };
  } catch (error) {
    await clients.destroy().catch(() => undefined);
    throw error;
  }
}

/** What {@link createAwsSystemParts} builds from. */
export interface AwsSystemPartsDependencies {
  clients: AwsClients;
  config: AwsBackendConfig;
  logger: Logger;
  /** The schemas short event types resolve among (registered in Glue before the parts are used). */
  catalog: SchemaCatalog;
  /** @defaultValue the idempotency store's own (86400) */
  idempotencyTtlSeconds?: number;
}

/** The stores, codec and command service of the AWS system. */
export type AwsSystemParts = Pick<AwsSystem, 'codec' | 'upcasters' | 'eventStore' | 'idempotency' | 'rateLimits' | 'deadLetters' | 'readModels' | 'commands'> & {
  /** The Glue registry behind the codec (the server feeds it from schemas/ before use). */
  registry: GlueSchemaRegistry;
  /** Snapshots (the snapshots table): the command service's store and scheduler, and the writer the sweep function uses. */
  snapshots: AwsSnapshots;
  /** Sagas: their pipeline ports and the timer the sagaTimeouts function (and the server) sweeps with. */
  sagas: AwsSagas;
};

/**
 * The stores, codec and command service over the AWS clients, built without a call to AWS: shared
 * by {@link openAwsSystem} (after its preflight and schema sync) and the Lambda handlers (whose
 * resources and schemas the stack guarantees).
 */
export function createAwsSystemParts(deps: AwsSystemPartsDependencies): AwsSystemParts {
  const { clients, config, logger } = deps;
  const { names } = config;
  const registry = new GlueSchemaRegistry({ client: clients.glue, registryName: names.glueRegistry });
  // Short event types resolve among schemas/ (all registered), not through Glue's ListSchemas.
  const codec = new AvroEventCodec(registry, { schemaNames: deps.catalog.schemaNames() });
  const upcasters = new UpcasterRegistry(orderUpcasters);
  // Idempotent appends complete their key in the append's own transaction.
  const eventStore = new DynamoDbEventStore(codec, { client: clients.dynamo, tableName: names.eventsTable, idempotencyTableName: names.idempotencyTable, logger });
  const idempotency = new DynamoDbIdempotencyStore({ client: clients.dynamo, tableName: names.idempotencyTable, ...(deps.idempotencyTtlSeconds === undefined ? {} : { ttlSeconds: deps.idempotencyTtlSeconds }) });
  const rateLimits = new DynamoDbRateLimitStore({ client: clients.dynamo, tableName: names.rateLimitsTable });
  const deadLetters = new DynamoDbDeadLetterStore({ client: clients.dynamo, tableName: names.deadLettersTable });
  const readModels = new OpenSearchReadModelStore({ client: clients.openSearch, indexPrefix: names.indexPrefix, numberOfReplicas: config.openSearchReplicas });
  // The API queries the order list before order-list may have seen a record: declare its
  // fields now, so the index's mapping holds them whichever comes first.
  readModels.collection(collectionOf(orderListReadModel), collectionOptionsOf(orderListReadModel));
  const snapshots = awsSnapshots({ clients, config, eventStore, codec, upcasters, aggregates, logger });
  const commands = new CommandService({ eventStore, codec, upcasters, aggregates, logger, snapshots: snapshots.forCommands });
  const sagas = awsSagas({ clients, config, eventStore, codec, commands, idempotency, sagas: declaredSagas, logger });
  return { registry, codec, upcasters, eventStore, idempotency, rateLimits, deadLetters, readModels, commands, snapshots, sagas };
}
