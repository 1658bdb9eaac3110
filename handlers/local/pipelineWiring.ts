import type { Database } from 'better-sqlite3';
import {
  SqliteCheckpointStore,
  SqliteDeadLetterStore,
  SqliteEventFeed,
  SqliteReadModelStore,
  SqliteStreamLog,
  SqliteSubscriberQueue,
  SqliteTopicPublisher,
} from '../../adapters/embedded';
import { SqliteNotificationLog } from '../../adapters/embedded/SqliteNotificationLog';
import type { Logger } from '../../core/logging/Logger';
import { QueuePipelineRunner } from '../../core/messaging/QueuePipelineRunner';
import type { SubscriberQueue } from '../../core/messaging/SubscriberQueue';
import { subscriptionOf } from '../../core/messaging/Topic';
import type { TopicDeclaration } from '../../core/messaging/Topic';
import { EmbeddedPipelineRunner } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { RunnerOptions } from '../../core/pipeline/EmbeddedPipelineRunner';
import type { PipelineContext, PipelineDefinition } from '../../core/pipeline/PipelineDefinition';
import type { EventLog } from '../../core/events/EventLog';
import type { EventCodec } from '../../core/schema/EventCodec';
import { queueOfSource } from '../../core/streams/RecordSource';
import type { RecordSource } from '../../core/streams/RecordSource';
import type { UpcasterRegistry } from '../../core/upcasting/UpcasterRegistry';
import { topics as declaredTopics } from '../../pipelines';

/** What {@link wirePipelines} builds the runners from. */
export interface PipelineWiringDependencies {
  /** The connection to nexus.db the change feed reads from. */
  eventsDb: Database;
  /** The connection to pipelines.db (read models, stream logs, topics and queues, checkpoints, dead letters). */
  pipelinesDb: Database;
  /** Wakes the change feed: the event store itself in-process, relayed messages in a worker. */
  appends: Pick<EventLog, 'onAppend'>;
  codec: EventCodec;
  upcasters: UpcasterRegistry;
  logger: Logger;
  pipelines: readonly PipelineDefinition[];
  /** The ports of saga pipelines (`commands`, `sagas`); absent: a saga pipeline fails at its first saga event. */
  sagas?: Pick<PipelineContext, 'commands' | 'sagas'>;
  /** The topics of the non-critical path and their subscribers. @defaultValue the declared ones (pipelines/routing.ts) */
  topics?: readonly TopicDeclaration[];
  runner?: RunnerOptions;
}

/** What the system does with a runner, whatever its source (a log or a subscriber queue). */
export type PipelineRunner = Pick<EmbeddedPipelineRunner, 'name' | 'start' | 'stop' | 'whenCaughtUp' | 'metrics'>;

/** The pipelines' stores and runners over one pipelines.db connection. */
export interface PipelineWiring {
  readModels: SqliteReadModelStore;
  deadLetters: SqliteDeadLetterStore;
  topics: SqliteTopicPublisher;
  /** What `notify` steps publish and the WebSocket server tails (live notifications). */
  notifications: SqliteNotificationLog;
  runners: PipelineRunner[];
  contextFor(pipelineName: string): PipelineContext;
  /** The log a pipeline reads; throws for a pipeline on a subscriber queue (see `queueFor`). */
  sourceFor(pipeline: PipelineDefinition): RecordSource;
  /** The declared subscriber queue `queueName`; throws MESSAGING_UNKNOWN_QUEUE for an undeclared one. */
  queueFor(queueName: string): SubscriberQueue;
}

/** Wires the pipeline runners; shared by the in-process system and the pipeline worker. */
export function wirePipelines(deps: PipelineWiringDependencies): PipelineWiring {
  const { pipelinesDb, codec, upcasters, logger } = deps;
  const topicDeclarations = deps.topics ?? declaredTopics;
  const streamLog = new SqliteStreamLog(pipelinesDb);
  const topics = new SqliteTopicPublisher(pipelinesDb, topicDeclarations);
  const checkpoints = new SqliteCheckpointStore(pipelinesDb);
  const deadLetters = new SqliteDeadLetterStore(pipelinesDb);
  const readModels = new SqliteReadModelStore(pipelinesDb);
  const notifications = new SqliteNotificationLog(pipelinesDb);
  const eventFeed = new SqliteEventFeed(deps.eventsDb, deps.appends);
  const queues = new Map<string, SqliteSubscriberQueue>();
  const queueFor = (queueName: string): SqliteSubscriberQueue => {
    let queue = queues.get(queueName);
    if (!queue) {
      queue = new SqliteSubscriberQueue(pipelinesDb, queueName, subscriptionOf(topicDeclarations, queueName));
      queues.set(queueName, queue);
    }
    return queue;
  };
  const contextFor = (pipelineName: string): PipelineContext => ({
    pipelineName,
    codec,
    upcasters,
    readModels,
    publisher: streamLog,
    topics,
    notifications,
    ...deps.sagas,
    logger: logger.child({ pipeline: pipelineName }),
  });
  const sourceFor = (pipeline: PipelineDefinition): RecordSource => {
    if (queueOfSource(pipeline.source) !== undefined) throw new TypeError(`pipeline ${pipeline.name} reads a subscriber queue, not a log: use queueFor`);
    return pipeline.source === 'events' ? eventFeed : streamLog.source(pipeline.source);
  };
  const runnerFor = (pipeline: PipelineDefinition): PipelineRunner => {
    const queueName = queueOfSource(pipeline.source);
    if (queueName !== undefined) return new QueuePipelineRunner(pipeline, { queue: queueFor(queueName), context: contextFor(pipeline.name), logger }, deps.runner);
    return new EmbeddedPipelineRunner(pipeline, { source: sourceFor(pipeline), checkpoints, deadLetters, context: contextFor(pipeline.name), logger }, deps.runner);
  };
  const runners = deps.pipelines.map(runnerFor);
  return { readModels, deadLetters, topics, notifications, runners, contextFor, sourceFor, queueFor };
}
