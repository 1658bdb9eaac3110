/**
 * What `nexus projections --backend aws` works with: the events table replayed through the
 * TimestampIndex (Kinesis and DynamoDB Streams keep only recent records), the read models in
 * OpenSearch behind aliases, the versions in DynamoDB, the rebuild's checkpoint in the
 * checkpoints table. Runs with the operator's credentials: no Lambda function is involved.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckpointStore } from '../../adapters/aws/DynamoDbCheckpointStore';
import { DynamoDbDeadLetterStore } from '../../adapters/aws/DynamoDbDeadLetterStore';
import { DynamoDbEventTableSource } from '../../adapters/aws/DynamoDbEventTableSource';
import { DynamoDbReadModelVersions } from '../../adapters/aws/DynamoDbReadModelVersions';
import { GlueSchemaRegistry } from '../../adapters/aws/GlueSchemaRegistry';
import { OpenSearchReadModelStore } from '../../adapters/aws/OpenSearchReadModelStore';
import type { Logger } from '../../core/logging/Logger';
import type { PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import { checkRebuildable, rebuildProjection } from '../../core/projection/rebuild/rebuildProjection';
import { TimeWindowSwitch } from '../../core/projection/rebuild/TimeWindowSwitch';
import { rebuildCheckpointName } from '../../core/readmodel/ReadModelVersions';
import { AvroEventCodec } from '../../core/schema/AvroEventCodec';
import type { EventCodec } from '../../core/schema/EventCodec';
import { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { orderUpcasters } from '../../domain';
import { CORE_STREAM, pipelines as declaredPipelines } from '../../pipelines';
import { routing } from '../../pipelines/routing';
import { createAwsClients } from '../aws/awsClients';
import type { AwsClients } from '../aws/awsClients';
import type { AwsBackendConfig } from '../aws/awsConfig';
import { awsPipelineContexts } from '../aws/awsPipelines';
import type { ProjectionStatus, ProjectionsSystem } from './projectionsSystem';

/** Options of {@link openAwsProjectionsSystem}. */
export interface AwsProjectionsOptions {
  logger: Logger;
  /** @defaultValue every pipeline in pipelines/ */
  pipelines?: readonly PipelineDefinition[];
  /** First instant the replay reads (ISO 8601). @defaultValue a day before the events table was created */
  since?: string;
  /** Index propagation plus writers' clock skew the switch covers (see TimeWindowSwitch). @defaultValue 5000 */
  marginMs?: number;
  /** How close to the head the replay gets before the switch replays the rest by time window. @defaultValue 10000 */
  horizonMs?: number;
  /** @defaultValue clients built from `config` (closed by `close`) */
  clients?: AwsClients;
  /** @defaultValue the Glue registry's codec */
  codec?: EventCodec;
}

const DAY_MS = 86_400_000;
const DEFAULT_HORIZON_MS = 10_000;

/** Opens the projections of the AWS stage `config` names. */
export function openAwsProjectionsSystem(config: AwsBackendConfig, options: AwsProjectionsOptions): ProjectionsSystem {
  const ownClients = options.clients === undefined;
  const clients = options.clients ?? createAwsClients(config);
  const { names } = config;
  const codec = options.codec ?? new AvroEventCodec(new GlueSchemaRegistry({ client: clients.glue, registryName: names.glueRegistry }));
  const readModels = new OpenSearchReadModelStore({ client: clients.openSearch, indexPrefix: names.indexPrefix, numberOfReplicas: config.openSearchReplicas });
  const contextFor = awsPipelineContexts({ clients, config, codec, upcasters: new UpcasterRegistry(orderUpcasters), readModels, logger: options.logger });
  const checkpoints = new DynamoDbCheckpointStore({ client: clients.dynamo, tableName: names.checkpointsTable });
  const deadLetters = new DynamoDbDeadLetterStore({ client: clients.dynamo, tableName: names.deadLettersTable });
  const versions = new DynamoDbReadModelVersions({ client: clients.dynamo, tableName: names.readModelVersionsTable, openSearch: clients.openSearch, indexPrefix: names.indexPrefix });
  const pipelines = options.pipelines ?? declaredPipelines;

  let since: Promise<string> | undefined;
  const replayStart = (): Promise<string> => {
    since ??= options.since !== undefined ? Promise.resolve(options.since) : eventsTableCreation(clients, names.eventsTable);
    return since;
  };
  const sourceFor = async (definition: PipelineDefinition, horizonMs?: number): Promise<DynamoDbEventTableSource> =>
    new DynamoDbEventTableSource({
      client: clients.dynamo,
      tableName: names.eventsTable,
      name: definition.source,
      since: await replayStart(),
      accepts: acceptedBy(definition),
      ...(horizonMs === undefined ? {} : { horizonMs }),
    });

  const statusOf = async (definition: PipelineDefinition): Promise<ProjectionStatus> => {
    const { version, rebuild } = await versions.get(definition.name);
    // The live pipeline's position is its event source mapping's (CloudWatch IteratorAge), not a table's.
    if (!rebuild) return { pipeline: definition.name, version };
    const position = await checkpoints.get(rebuildCheckpointName(definition.name, rebuild.version));
    return { pipeline: definition.name, version, rebuild: { ...rebuild, position, lag: Math.max(0, Date.now() - position), lagCapped: false } };
  };

  return {
    pipelines,
    rebuild: async (definition, rebuildOptions = {}) => {
      checkRebuildable(definition);
      // The replay stops within the horizon of the head (writes go on); the switch's time windows read up to the head.
      const replaySource = await sourceFor(definition, options.horizonMs ?? DEFAULT_HORIZON_MS);
      const context = contextFor(definition.name);
      const switching = new TimeWindowSwitch(versions, { definition, context, source: await sourceFor(definition) }, options.marginMs === undefined ? {} : { marginMs: options.marginMs });
      return rebuildProjection({ definition, source: replaySource, checkpoints, deadLetters, context, versions: switching }, rebuildOptions);
    },
    status: async () => {
      const projections = pipelines.filter((definition) => (definition.uses ?? ['readModels']).includes('readModels'));
      const rows: ProjectionStatus[] = [];
      for (const definition of projections) rows.push(await statusOf(definition));
      return rows;
    },
    close: async () => {
      if (ownClients) await clients.destroy();
    },
  };
}

/** The event types the pipeline's source carries: the routing table's for the core stream, all for `events`. */
function acceptedBy(definition: PipelineDefinition): (eventType: string) => boolean {
  if (definition.source !== CORE_STREAM) return () => true;
  return (eventType) => {
    try {
      return routing.destinationsOf(eventType).streams.includes(CORE_STREAM);
    } catch {
      // A type the routing table does not know never reached the stream (the router parked it).
      return false;
    }
  };
}

/** A day before the events table was created: no event can be older (occurredAt is the append's clock). */
async function eventsTableCreation(clients: AwsClients, tableName: string): Promise<string> {
  const described = await clients.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const created = described.Table?.CreationDateTime?.getTime() ?? 0;
  return new Date(Math.max(0, created - DAY_MS)).toISOString();
}
