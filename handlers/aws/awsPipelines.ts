/**
 * The declared pipelines on AWS, outside Lambda: each log-sourced pipeline runs in this process
 * through a {@link ShardPollingRunner}, its shards shared with other workers by leases in
 * DynamoDB (one lease group per pipeline and source). `events` is the events table's DynamoDB
 * stream, `core` the Kinesis stream. Pipelines on subscriber queues run through a
 * {@link QueuePipelineRunner} over SQS, and the router publishes to SNS, when messaging is wired
 * (an account id is configured); otherwise both are left off, each said in a start-up log line.
 */
import { DynamoDbLeaseStore } from '../../adapters/aws/DynamoDbLeaseStore';
import { DynamoDbStreamsShardReader, dynamoDbStreamsShardLister } from '../../adapters/aws/DynamoDbStreamsShardReader';
import { eventStreamImage } from '../../adapters/aws/dynamoDbEventItems';
import { KinesisShardReader } from '../../adapters/aws/KinesisShardReader';
import { KinesisStreamPublisher } from '../../adapters/aws/KinesisStreamPublisher';
import { kinesisShardLister } from '../../adapters/aws/kinesisShardLister';
import type { DeadLetterStore } from '../../core/deadletter/DeadLetterStore';
import { ShardLeaseCoordinator } from '../../core/leases/ShardLeaseCoordinator';
import type { ShardLister } from '../../core/leases/ShardLeaseCoordinator';
import type { ShardReader } from '../../core/leases/ShardReader';
import type { Logger } from '../../core/logging/Logger';
import { QueuePipelineRunner } from '../../core/messaging/QueuePipelineRunner';
import type { TopicPublisher } from '../../core/messaging/Topic';
import type { NotificationPublisher } from '../../core/notifications/DocumentChanged';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { PipelineMetrics } from '../../core/pipeline/PipelineMetrics';
import { ShardPollingRunner } from '../../core/pipeline/polling/ShardPollingRunner';
import type { ReadModelStore } from '../../core/readmodel/ReadModelStore';
import type { EventCodec } from '../../core/schema/EventCodec';
import { queueOfSource } from '../../core/streams/RecordSource';
import type { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { CORE_STREAM } from '../../pipelines';
import type { AwsClients } from './awsClients';
import type { AwsBackendConfig } from './awsConfig';
import type { AwsMessaging } from './awsMessaging';

/** What {@link wireAwsPipelines} builds the runners from. */
export interface AwsPipelineDependencies {
  clients: AwsClients;
  config: AwsBackendConfig;
  /** The events table's LatestStreamArn: the router's source. */
  eventsStreamArn: string;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  readModels: ReadModelStore;
  deadLetters: DeadLetterStore;
  logger: Logger;
  pipelines: readonly PipelineDefinition[];
  /** SNS topics and SQS queues; absent: the router's topic side and the queue pipelines are off. */
  messaging?: AwsMessaging;
  /** The ports of saga pipelines (handlers/aws/awsSagas.ts); absent: a saga pipeline fails at its first saga event. */
  sagas?: Pick<PipelineContext, 'commands' | 'sagas'>;
  /** Live notifications (API Gateway WebSocket); absent: `notify` publishes nothing. */
  notifications?: NotificationPublisher;
}

/** What the system does with a runner, whatever its source (shards or a queue). */
export interface AwsPipelineRunner {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  metrics(): PipelineMetrics;
}

/** The pipelines' runners and contexts on AWS. */
export interface AwsPipelineWiring {
  runners: AwsPipelineRunner[];
  /** Declared pipelines that do not run on this backend, with why. */
  skipped: { name: string; reason: string }[];
  /** A pipeline's context (the CLI's redrive runs parked records through it). */
  contextFor(pipelineName: string): PipelineContext;
}

/** Builds a runner per pipeline that can run here; see the module's TSDoc for the rest. */
export function wireAwsPipelines(deps: AwsPipelineDependencies): AwsPipelineWiring {
  const { clients, config, logger } = deps;
  const contextFor = awsPipelineContexts({ ...deps, ...(deps.messaging ? { topics: deps.messaging.topics } : {}) });
  const runners: AwsPipelineRunner[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const pipeline of deps.pipelines) {
    const queueName = queueOfSource(pipeline.source);
    if (queueName !== undefined && deps.messaging) {
      runners.push(new QueuePipelineRunner(pipeline, { queue: deps.messaging.queueFor(queueName), context: contextFor(pipeline.name), logger }, { idlePollMs: config.pollIdleMs }));
      continue;
    }
    const source = sourceOf(pipeline, deps);
    if ('reason' in source) {
      skipped.push({ name: pipeline.name, reason: source.reason });
      continue;
    }
    const leases = new DynamoDbLeaseStore({ client: clients.dynamo, tableName: config.names.leasesTable, group: `${pipeline.name}@${pipeline.source}` });
    const coordinator = new ShardLeaseCoordinator(leases, source.lister, { workerId: config.workerId, leaseDurationMs: config.leaseDurationMs });
    runners.push(
      new ShardPollingRunner(
        pipeline,
        { coordinator, reader: source.reader, deadLetters: deps.deadLetters, context: contextFor(pipeline.name), sourceName: source.name, logger },
        { idlePollMs: config.pollIdleMs, retryPauseMs: config.pollIdleMs, leaseTickMs: config.leaseTickMs },
      ),
    );
  }
  return { runners, skipped, contextFor };
}

/** What {@link awsPipelineContexts} builds the contexts from. */
export type AwsPipelineContextDependencies = Pick<AwsPipelineDependencies, 'clients' | 'config' | 'codec' | 'upcasters' | 'readModels' | 'logger'> & {
  /** The router's topics (SNS); absent: messages for topics are dropped, said at debug level. */
  topics?: TopicPublisher;
  /** Live notifications (API Gateway WebSocket, handlers/aws/awsNotifications.ts); absent: `notify` publishes nothing. */
  notifications?: NotificationPublisher;
  /** The ports of saga pipelines: commands through the idempotency table, saga streams and deadlines. */
  sagas?: Pick<PipelineContext, 'commands' | 'sagas'>;
};

/**
 * The pipelines' contexts on AWS: the core stream on Kinesis, the topics on SNS (or off), the
 * read models on OpenSearch. Shared by the polling runners here and the Lambda handlers.
 */
export function awsPipelineContexts(deps: AwsPipelineContextDependencies): (pipelineName: string) => PipelineContext {
  const { clients, config, logger } = deps;
  const publisher = new KinesisStreamPublisher({ client: clients.kinesis, streams: { [CORE_STREAM]: config.names.coreStream } });
  const topics = deps.topics ?? topicsOff(logger);
  return (pipelineName) => ({
    pipelineName,
    codec: deps.codec,
    upcasters: deps.upcasters,
    readModels: deps.readModels,
    publisher,
    topics,
    ...(deps.notifications === undefined ? {} : { notifications: deps.notifications }),
    ...deps.sagas,
    logger: logger.child({ pipeline: pipelineName }),
  });
}

interface ShardSource {
  name: string;
  reader: ShardReader;
  lister: ShardLister;
}

function sourceOf(pipeline: PipelineDefinition, deps: AwsPipelineDependencies): ShardSource | { reason: string } {
  const { clients, config } = deps;
  if (queueOfSource(pipeline.source) !== undefined) return { reason: 'its subscriber queue is on SQS, which is not wired: set --aws-account-id (NEXUS_AWS_ACCOUNT_ID)' };
  if (pipeline.source === 'events') {
    const options = { client: clients.streams, streamArn: deps.eventsStreamArn, readImage: eventStreamImage };
    return { name: `dynamodb-streams ${config.names.eventsTable}`, reader: new DynamoDbStreamsShardReader(options), lister: dynamoDbStreamsShardLister(options) };
  }
  if (pipeline.source === CORE_STREAM) {
    const streamName = config.names.coreStream;
    return { name: `kinesis ${streamName}`, reader: new KinesisShardReader({ client: clients.kinesis, streamName }), lister: kinesisShardLister(clients.kinesis, streamName) };
  }
  return { reason: `no Kinesis stream is configured for source "${pipeline.source}"` };
}

/**
 * The router's topic side, switched off: messages for a topic are dropped (the core stream still
 * gets every event). Without it the router would fail, then park, every event routed to a topic,
 * and park the rest of that order's events behind it, starving the core path.
 */
function topicsOff(logger: Logger): TopicPublisher {
  return {
    publish: async (topicName, messages) => {
      logger.debug('topic side off on the AWS backend: messages dropped', { topic: topicName, messages: messages.length });
    },
  };
}
