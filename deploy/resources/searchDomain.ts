/**
 * The read models' OpenSearch: a managed Amazon OpenSearch Service domain (not a Serverless
 * collection: the adapter's refresh-on-query, external versions and SigV4 service `es` need a
 * domain, and its floor is one small instance instead of OCUs billed around the clock). Encrypted
 * at rest and between nodes, HTTPS only with TLS 1.2 or later, and reachable only by the roles of
 * the functions that use the read models.
 */
import { arnPrefix, getAtt, sub } from '../cloudFormation';
import type { CfnResources, CfnValue } from '../cloudFormation';
import type { DeployedFunction } from '../DeployedFunction';

/** The logical id of the domain. */
export const SEARCH_DOMAIN_LOGICAL_ID = 'SearchDomain';

/** The HTTP actions the read-model store uses: GET (documents), POST (search, refresh), PUT (index, mapping, document), HEAD. */
export const SEARCH_HTTP_ACTIONS = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut'] as const;

/** Size of the domain (serverless.yml stage params). */
export interface SearchDomainSettings {
  /** @defaultValue 't3.small.search' — the smallest type with encryption at rest */
  instanceType?: string;
  /** Data nodes; more than one spreads them over two zones. @defaultValue 1 */
  instanceCount?: number;
  /** GiB of gp3 per node. @defaultValue 10 */
  volumeSizeGiB?: number;
  /**
   * The engine, as CloudFormation names it. @defaultValue 'OpenSearch_2.19' — the version the
   * integration tests run (scripts/install-opensearch.sh)
   */
  engineVersion?: string;
}

/** Defaults of {@link SearchDomainSettings}. */
export const SEARCH_DOMAIN_DEFAULTS: Required<SearchDomainSettings> = {
  instanceType: 't3.small.search',
  instanceCount: 1,
  volumeSizeGiB: 10,
  engineVersion: 'OpenSearch_2.19',
};

/** A domain name OpenSearch refuses (3-28 of a-z 0-9 -, starting with a letter). */
export class SearchDomainNameError extends Error {
  readonly code = 'INVALID_SEARCH_DOMAIN_NAME';
  constructor(readonly domainName: string) {
    super(`search domain name "${domainName}" is not 3-28 of a-z 0-9 - starting with a letter: use a shorter stage name`);
    this.name = 'SearchDomainNameError';
  }
}

/** `nexus-<stage>`: the domain's name, checked against OpenSearch's rule. */
export function searchDomainName(stage: string): string {
  const name = `nexus-${stage}`;
  if (!/^[a-z][a-z0-9-]{2,27}$/.test(name)) throw new SearchDomainNameError(name);
  return name;
}

/**
 * The domain's ARN followed by `/*` (its indices), as text: roles name the domain without a
 * dependency on it, since the domain's access policy already depends on the roles.
 */
export function searchDomainIndicesArn(stage: string): { 'Fn::Sub': string } {
  return sub(`${arnPrefix('es')}domain/${searchDomainName(stage)}/*`);
}

/** Does this function's role reach the read models? The API, the WebSocket function (subscriptions' owners), and pipelines (and the redrive) using `readModels`. */
export function usesReadModels(fn: DeployedFunction, functions: readonly DeployedFunction[]): boolean {
  if (fn.kind === 'api' || fn.kind === 'webSocket') return true;
  if (fn.kind === 'pipeline') return fn.pipeline?.uses.includes('readModels') ?? false;
  if (fn.kind === 'redrive') return functions.some((other) => other.pipeline?.uses.includes('readModels'));
  return false;
}

/** The AWS::OpenSearchService::Domain of a stage. */
export function searchDomainResources(stage: string, functions: readonly DeployedFunction[], settings: SearchDomainSettings = {}): CfnResources {
  const size = { ...SEARCH_DOMAIN_DEFAULTS, ...settings };
  const readers = functions.filter((fn) => usesReadModels(fn, functions));
  const properties: Record<string, CfnValue> = {
    DomainName: searchDomainName(stage),
    EngineVersion: size.engineVersion,
    ClusterConfig: {
      InstanceType: size.instanceType,
      InstanceCount: size.instanceCount,
      ZoneAwarenessEnabled: size.instanceCount > 1,
      ...(size.instanceCount > 1 ? { ZoneAwarenessConfig: { AvailabilityZoneCount: 2 } } : {}),
    },
    EBSOptions: { EBSEnabled: true, VolumeType: 'gp3', VolumeSize: size.volumeSizeGiB },
    EncryptionAtRestOptions: { Enabled: true },
    NodeToNodeEncryptionOptions: { Enabled: true },
    DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
    AccessPolicies: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: readers.map((fn) => getAtt(fn.roleLogicalId, 'Arn')) },
          Action: [...SEARCH_HTTP_ACTIONS],
          Resource: searchDomainIndicesArn(stage),
        },
      ],
    },
  };
  return { [SEARCH_DOMAIN_LOGICAL_ID]: { Type: 'AWS::OpenSearchService::Domain', Properties: properties } };
}
