import type { Client } from '@opensearch-project/opensearch';
import { parseShadowCollectionName } from '../../core/readmodel/ReadModelVersions';
import type { ShadowCollection } from '../../core/readmodel/ReadModelVersions';
import type { AwsRetryOptions } from './awsCallRetry';
import { callOpenSearch, openSearchErrorTypeOf } from './openSearchCallRetry';
import { readModelIndexName } from './openSearchReadModelIndex';

/**
 * Where a collection lives in OpenSearch. A live collection is the alias `<prefix><collection>`
 * over one physical index `<prefix><collection>-v<n>` (created as `-v1`; an index created before
 * aliases, a concrete index named like the alias, is adopted as it is). A shadow collection
 * (`<collection>--<pipeline>--v<n>`, a rebuild filling version n) is the physical index
 * `<prefix><collection>-v<n>` itself, with no alias, so switching readers is moving the alias.
 */
export interface ReadModelIndexTarget {
  /** The name every call addresses (the alias, or the shadow's physical index). */
  index: string;
  /** The index to create when `index` does not exist yet. */
  createIndex: string;
  /** The alias to create with it (live collections). */
  alias?: string;
  /** Recorded in the shadow index's mapping `_meta`, so that a switch can find it. */
  shadow?: ShadowCollection;
}

/** The `_meta` key of a shadow index's mapping. */
export const SHADOW_META_KEY = 'nexusShadow';

/** The physical index of version `version` of the collection behind `alias`. */
export function versionedIndexName(alias: string, version: number): string {
  return `${alias}-v${version}`;
}

/** Where collection `name` (live or shadow) lives, under `prefix`. */
export function readModelIndexTarget(prefix: string, name: string): ReadModelIndexTarget {
  const shadow = parseShadowCollectionName(name);
  if (shadow) {
    const physical = versionedIndexName(readModelIndexName(prefix, shadow.collection), shadow.version);
    return { index: physical, createIndex: physical, shadow };
  }
  const alias = readModelIndexName(prefix, name);
  return { index: alias, createIndex: versionedIndexName(alias, 1), alias };
}

/** What {@link switchReadModelAliases} did. */
export interface AliasSwitch {
  /** The collections whose alias now points at the rebuilt version. */
  collections: string[];
  /** The physical indices the aliases left, deleted afterwards. */
  deleted: string[];
}

interface IndexDescription {
  aliases?: Record<string, unknown>;
  mappings?: { _meta?: Record<string, unknown> };
}

/**
 * Points the alias of every collection that has a shadow of `pipeline`'s `version` at that
 * shadow, in ONE `_aliases` request (OpenSearch applies its actions atomically: a reader sees the
 * old version or the new one, never a missing index), then deletes the indices the aliases left.
 * A concrete index named like the alias (from before aliases) is removed by the same request
 * (`remove_index`). Idempotent: an alias that already points at the shadow is left alone, so a
 * switch interrupted after the request and run again completes.
 */
export async function switchReadModelAliases(client: Client, prefix: string, pipeline: string, version: number, retry: AwsRetryOptions = {}): Promise<AliasSwitch> {
  const pattern = versionedIndexName(`${prefix}*`, version);
  const found = await callOpenSearch('get shadow indices', () => client.indices.get({ index: pattern, allow_no_indices: true, ignore_unavailable: true }), retry);
  const indices = found.body as Record<string, IndexDescription>;
  const actions: Record<string, unknown>[] = [];
  const collections: string[] = [];
  const deleted: string[] = [];
  const moved: [alias: string, physical: string][] = [];
  for (const [physical, description] of Object.entries(indices)) {
    const shadow = description.mappings?._meta?.[SHADOW_META_KEY] as ShadowCollection | undefined;
    if (shadow?.pipeline !== pipeline || shadow.version !== version) continue;
    const alias = readModelIndexName(prefix, shadow.collection);
    collections.push(shadow.collection);
    if (description.aliases && alias in description.aliases) continue;
    const current = await currentTargets(client, alias, retry);
    if (current === 'concrete') {
      actions.push({ remove_index: { index: alias } });
    } else {
      for (const old of current) actions.push({ remove: { index: old, alias } });
      deleted.push(...current);
    }
    actions.push({ add: { index: physical, alias } });
    moved.push([alias, physical]);
  }
  if (actions.length > 0) await callOpenSearch('switch aliases', () => client.indices.updateAliases({ body: { actions } }), retry);
  // A live process that found no collection may have created `-v1` with the alias meanwhile: the
  // alias would hold two indices (no write goes through). The new version wins; the writes that
  // went to the other one are replayed by the switch's catch-up.
  for (const [alias, physical] of moved) {
    const targets = await currentTargets(client, alias, retry);
    const extras = targets === 'concrete' ? [] : targets.filter((index) => index !== physical);
    if (extras.length > 0) await callOpenSearch('drop concurrent index', () => client.indices.updateAliases({ body: { actions: extras.map((index) => ({ remove_index: { index } })) } }), retry);
  }
  for (const old of deleted) {
    await callOpenSearch('delete old index', () => client.indices.delete({ index: old }, { ignore: [404] }), retry);
  }
  return { collections: collections.sort(), deleted };
}

/**
 * After creating `created` with `alias`: when a rebuild's switch created the alias over its own
 * version meanwhile (the collection did not exist when this process looked), the alias now has
 * two indices and no write goes through; `created` is empty (nothing was written yet), so it is
 * removed (`remove_index`, atomically with the alias on it).
 */
export async function dropIfSuperseded(client: Client, alias: string, created: string, retry: AwsRetryOptions = {}): Promise<void> {
  const targets = await currentTargets(client, alias, retry);
  if (targets === 'concrete' || targets.length < 2 || !targets.includes(created)) return;
  await callOpenSearch('drop superseded index', () => client.indices.updateAliases({ body: { actions: [{ remove_index: { index: created } }] } }), retry);
}

/** The indices `alias` points at, or 'concrete' when an index (not an alias) has its name; none when absent. */
async function currentTargets(client: Client, alias: string, retry: AwsRetryOptions): Promise<string[] | 'concrete'> {
  const response = await callOpenSearch('get alias', () => client.indices.getAlias({ name: alias }, { ignore: [404] }), retry);
  if (response.statusCode !== 404) return Object.keys(response.body as Record<string, unknown>);
  const exists = await callOpenSearch('index exists', () => client.indices.exists({ index: alias }), retry);
  return exists.body === true ? 'concrete' : [];
}

/** True when a create was refused because an index or an alias already has the name (created meanwhile, or from before aliases). */
export function isIndexNameTaken(error: unknown): boolean {
  const type = openSearchErrorTypeOf(error);
  return type === 'resource_already_exists_exception' || type === 'invalid_alias_name_exception';
}
