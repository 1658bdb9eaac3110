/**
 * One IAM role per function, with what that function's code calls and nothing else: its own log
 * group, X-Ray, and per kind the tables, stream, queues, topics, registry and search domain its
 * adapters use (deploy/iam/grants.ts names the calls behind each grant). No role may update or
 * delete an event: the events table is granted reads, conditional Puts and ConditionChecks only.
 */
import type { TopicDeclaration } from '../../core/messaging/Topic';
import type { PipelinePort } from '../../core/pipeline/PipelineDeployment';
import type { CfnResource, CfnResources } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { deadLetterQueueLogicalId, hasFailureQueue, queueLogicalId, stackMessaging, topicLogicalId } from '../resources/messaging';
import { usesEnhancedFanOut } from '../resources/stream';
import {
  coreStreamReadGrants,
  deadLetterReadGrants,
  eventReadGrants,
  eventsStreamGrant,
  eventStoreGrants,
  failureQueueGrant,
  idempotencyGrant,
  logsGrant,
  manageConnectionsGrant,
  notificationLogReadGrant,
  notificationsGrants,
  parkingGrants,
  publisherGrant,
  queueReadGrant,
  queueRedriveGrants,
  rateLimitGrant,
  readModelsGrant,
  redriveDeadLetterGrants,
  schemaReadGrant,
  schemaRegistrationGrant,
  sagaDeadlinesGrants,
  snapshotsGrant,
  topicsGrant,
  tracingGrant,
  webSocketConnectionsGrant,
} from './grants';
import type { Statement } from './grants';

/** What the roles derive from besides the function itself. */
export interface RoleSettings {
  stage: string;
  /** Every function of the service (the redrive runs any pipeline's records, so it gets their ports). */
  functions: readonly DeployedFunction[];
  /** The declared topics (pipelines/index.ts `topics`). */
  topics: readonly TopicDeclaration[];
}

/** The AWS::IAM::Role of one function (logical id `fn.roleLogicalId`). */
export function roleOf(fn: DeployedFunction, settings: RoleSettings): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: `nexus-${settings.stage}-${fn.key}`, PolicyDocument: { Version: '2012-10-17', Statement: statementsOf(fn, settings) } }],
    },
  };
}

/** Every function's role, by role logical id. */
export function rolesOf(settings: RoleSettings): CfnResources {
  return Object.fromEntries(settings.functions.map((fn) => [fn.roleLogicalId, roleOf(fn, settings)]));
}

/** The statements of one function's role. */
export function statementsOf(fn: DeployedFunction, settings: RoleSettings): Statement[] {
  const { stage } = settings;
  const common = [logsGrant(fn), tracingGrant()];
  switch (fn.kind) {
    case 'api':
      return [...common, ...eventStoreGrants(), idempotencyGrant(), rateLimitGrant(), readModelsGrant(stage), schemaReadGrant(stage), snapshotsGrant()];
    case 'pipeline':
      return [...common, ...sourceGrants(fn), ...parkingGrants(), schemaReadGrant(stage), ...portGrants(fn.pipeline?.uses ?? [], settings), ...(hasFailureQueue(fn) ? [failureQueueGrant(fn)] : [])];
    case 'redrive': {
      const ports = new Set(settings.functions.flatMap((other) => other.pipeline?.uses ?? []));
      const queues = stackMessaging(stage, settings.topics).topics.flatMap((topic) => topic.subscribers.map((subscriber) => subscriber.name));
      return [
        ...common,
        ...redriveDeadLetterGrants(),
        schemaReadGrant(stage),
        ...portGrants([...ports], settings),
        ...(queues.length > 0 ? queueRedriveGrants(queues.map(queueLogicalId), queues.map(deadLetterQueueLogicalId)) : []),
      ];
    }
    case 'deadLetterGauge':
      return [...common, ...deadLetterReadGrants()];
    case 'schemas':
      return [...common, schemaRegistrationGrant(stage)];
    case 'sagaTimeouts':
      // Loads sagas (events), sends compensations through the command service (events, idempotency keys, snapshots), sweeps deadlines.
      return [...common, ...eventStoreGrants(), idempotencyGrant(), snapshotsGrant(), schemaReadGrant(stage), ...sagaDeadlinesGrants()];
    case 'snapshotSweep':
      // Reads events (the TimestampIndex for the window, the table to fold each aggregate), decodes them, writes snapshots.
      return [...common, ...eventReadGrants(), schemaReadGrant(stage), snapshotsGrant()];
    case 'webSocket':
      // Connections and subscriptions, resumes from the log, owners and catch-ups from the read models, answers to clients.
      return [...common, webSocketConnectionsGrant(), notificationLogReadGrant(), readModelsGrant(stage), manageConnectionsGrant(stage)];
  }
}

function sourceGrants(fn: DeployedFunction): Statement[] {
  const source = fn.pipeline?.source;
  if (source === undefined) return [];
  if (source.type === 'events') return [eventsStreamGrant()];
  if (source.type === 'stream') return coreStreamReadGrants(fn, usesEnhancedFanOut(fn));
  return [queueReadGrant(queueLogicalId(source.queue))];
}

function portGrants(ports: readonly PipelinePort[], settings: RoleSettings): Statement[] {
  const grants: Statement[] = [];
  if (ports.includes('readModels')) grants.push(readModelsGrant(settings.stage));
  if (ports.includes('publisher')) grants.push(publisherGrant());
  if (ports.includes('topics') && settings.topics.length > 0) grants.push(topicsGrant(settings.topics.map((topic) => topicLogicalId(topic.name))));
  if (ports.includes('notifications')) grants.push(...notificationsGrants(settings.stage));
  // A saga appends its transitions and sends commands (the command service: events, idempotency keys, snapshots).
  if (ports.includes('commands') || ports.includes('sagas')) grants.push(...eventStoreGrants());
  if (ports.includes('commands')) grants.push(idempotencyGrant(), snapshotsGrant());
  if (ports.includes('sagas')) grants.push(...sagaDeadlinesGrants());
  return grants;
}
