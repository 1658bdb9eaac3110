/**
 * Every stateful resource of a stage: tables, the core stream (and fan-out consumers), topics and
 * queues, the search domain, the key of temporal continuations. The Glue registry and the schema registration are
 * deploy/resources/schemaRegistry.ts's; roles, alarms and the dashboard come from deploy/iam and
 * deploy/operations. Log groups are the framework's (provider.logRetentionInDays).
 */
import type { TopicDeclaration } from '../../core/messaging/Topic';
import type { CfnResources } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';
import { continuationKeyResources } from './continuationKey';
import { messagingResourcesOf } from './messaging';
import { searchDomainResources } from './searchDomain';
import type { SearchDomainSettings } from './searchDomain';
import { streamResources } from './stream';
import { tableResources } from './tables';

/** What the resources derive from besides the functions. */
export interface ResourceSettings {
  stage: string;
  /** The declared topics (pipelines/index.ts `topics`). */
  topics: readonly TopicDeclaration[];
  /** @defaultValue SEARCH_DOMAIN_DEFAULTS */
  searchDomain?: SearchDomainSettings;
}

/** The stage's resources by logical id. */
export function resourcesOf(functions: readonly DeployedFunction[], settings: ResourceSettings): CfnResources {
  return {
    ...tableResources(settings.stage),
    ...streamResources(settings.stage, functions),
    ...messagingResourcesOf(settings.stage, settings.topics, functions),
    ...searchDomainResources(settings.stage, functions, settings.searchDomain),
    ...continuationKeyResources(settings.stage),
  };
}
