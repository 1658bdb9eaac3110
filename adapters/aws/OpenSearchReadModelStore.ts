import type { Client } from '@opensearch-project/opensearch';
import type { ReadModelCollection, ReadModelCollectionOptions, ReadModelDocument, ReadModelPage, ReadModelQuery, ReadModelStore } from '../../core/readmodel/ReadModelStore';
import type { AwsRetryOptions } from './awsCallRetry';
import { callOpenSearch, describeOpenSearchError, openSearchErrorTypeOf, openSearchStatusOf } from './openSearchCallRetry';
import { InvalidReadModelQueryError } from '../../core/readmodel/ReadModelErrors';
import { searchCursorAt, searchLimitOf, searchOffsetOf, searchTermsOf } from '../../core/readmodel/ReadModelSearch';
import type { ReadModelSearchPage, ReadModelSearchQuery, SearchableReadModelCollection } from '../../core/readmodel/ReadModelSearch';
import { declaredFields, declaredFullTextFields, fieldProperties, FULL_TEXT_ANALYZER, liveDocument, READ_MODEL_ANALYSIS, readModelIndexMapping, textProperties, tombstone } from './openSearchReadModelIndex';
import { dropIfSuperseded, isIndexNameTaken, readModelIndexTarget, SHADOW_META_KEY } from './openSearchReadModelAliases';
import type { ReadModelIndexTarget } from './openSearchReadModelAliases';
import type { StoredDocument } from './openSearchReadModelIndex';
import { planOpenSearchQuery } from './openSearchReadModelQuery';
import { highlightsOfHit, openSearchSearchBody } from './openSearchReadModelSearch';
import type { SortValue } from './openSearchReadModelQuery';

/** Options of {@link OpenSearchReadModelStore}. */
export interface OpenSearchReadModelStoreOptions {
  /** A client built with `maxRetries: 0` (this store retries transient faults itself). */
  client: Client;
  /** Collection `orders` is the alias `<indexPrefix>orders` over the index `<indexPrefix>orders-v<n>` (see `openSearchReadModelAliases.ts`). @defaultValue 'nexus-read-model-' */
  indexPrefix?: string;
  /** Retries of transient faults (no answer, 429, 5xx). @defaultValue AWS_RETRY_DEFAULTS */
  retry?: AwsRetryOptions;
  /**
   * Refresh an index before a query when this store wrote to it since its last refresh, so its
   * own writes are always found; without it a write is found after the index's refresh interval
   * (1 s). Writes by other processes are found after that interval either way.
   * @defaultValue true
   */
  refreshOnQuery?: boolean;
  /** Shards of each new index. @defaultValue 1 */
  numberOfShards?: number;
  /** Replicas of each new index (0 keeps a single test node green). @defaultValue 1 */
  numberOfReplicas?: number;
  /** @defaultValue Date.now */
  nowMs?: () => number;
}

const DEFAULTS = {
  indexPrefix: 'nexus-read-model-',
  retry: {} as AwsRetryOptions,
  refreshOnQuery: true,
  numberOfShards: 1,
  numberOfReplicas: 1,
  nowMs: (): number => Date.now(),
};

type Settings = typeof DEFAULTS & { client: Client };

/**
 * Read models in OpenSearch, one index per collection with an explicit, strict mapping made from
 * the collection's declared fields (`indexedFields`, `compositeIndexes`): each document's `data`
 * is stored but not indexed, and every declared field is indexed in typed slots that compare and
 * sort as the SQLite store does (see `openSearchReadModelIndex.ts`).
 *
 * Guarantees: writes are idempotent by version. The aggregate version is the document's external
 * version (`version_type=external`), so OpenSearch itself refuses a write that is not newer
 * (409, answered here with `false`), even between concurrent writers. A delete writes a tombstone
 * at its version instead of deleting: a real delete remembers its version only for
 * `index.gc_deletes` (60 s), after which a replayed older upsert would bring the document back.
 * `get` is real-time. Queries filter by equality, sort by a declared field (ties by id) and page
 * with `search_after` behind an opaque cursor; with `refreshOnQuery` they see this store's own
 * writes. Full-text fields (`fullText: true` in `fields`) are analysed under `text.<field>` and
 * searched by `search` (every term in any field, ranked by BM25, highlighted; see
 * `openSearchReadModelSearch.ts`).
 *
 * Errors: `INVALID_READ_MODEL_QUERY` for a bad or undeclared field, value, limit or cursor;
 * transient faults are retried (full-jitter backoff), then `READ_MODEL_UNAVAILABLE` with the
 * client's error as `cause`, as is any other failure. A write retried after a lost answer that
 * had in fact been applied answers `false` (the retry meets its own version).
 *
 * @example
 * const client = new Client({ node: 'https://search-nexus.eu-west-1.es.amazonaws.com', maxRetries: 0 });
 * const orders = new OpenSearchReadModelStore({ client }).collection('orders', { indexedFields: ['status'] });
 * await orders.upsertIfNewer('order-1', 3, { status: 'placed', total: 12 });
 */
export class OpenSearchReadModelStore implements ReadModelStore {
  private readonly settings: Settings;
  // One entry per index, shared by every collection object of that name (pipelines ask for their
  // collection once per record).
  private readonly indexes = new Map<string, IndexState>();

  constructor(options: OpenSearchReadModelStoreOptions) {
    this.settings = {
      client: options.client,
      indexPrefix: options.indexPrefix ?? DEFAULTS.indexPrefix,
      retry: options.retry ?? DEFAULTS.retry,
      refreshOnQuery: options.refreshOnQuery ?? DEFAULTS.refreshOnQuery,
      numberOfShards: options.numberOfShards ?? DEFAULTS.numberOfShards,
      numberOfReplicas: options.numberOfReplicas ?? DEFAULTS.numberOfReplicas,
      nowMs: options.nowMs ?? DEFAULTS.nowMs,
    };
  }

  collection<T = Record<string, unknown>>(name: string, options: ReadModelCollectionOptions = {}): ReadModelCollection<T> {
    const target = readModelIndexTarget(this.settings.indexPrefix, name);
    let state = this.indexes.get(target.index);
    if (!state) {
      state = new IndexState(target, this.settings);
      this.indexes.set(target.index, state);
    }
    state.declare(declaredFields(options), declaredFullTextFields(options));
    return new OpenSearchReadModelCollection<T>(name, state, this.settings);
  }
}

/** What the store knows of one index: its declared fields, whether its mapping holds them, unrefreshed writes. */
class IndexState {
  readonly fields = new Set<string>();
  readonly fullText = new Set<string>();
  /** This store wrote to the index since its last refresh. */
  dirty = false;
  /** The latest refresh (settled when done, failed or not). */
  refreshing: Promise<void> | undefined;
  private ensured: Promise<void> | undefined;
  private ensuredFieldCount = -1;

  readonly index: string;

  constructor(
    private readonly target: ReadModelIndexTarget,
    private readonly settings: Settings,
  ) {
    this.index = target.index;
  }

  declare(fields: readonly string[], fullText: readonly string[]): void {
    for (const field of fields) this.fields.add(field);
    for (const field of fullText) this.fullText.add(field);
  }

  /** Creates the index, or adds newly declared fields to its mapping; once per set of fields. */
  ensure(): Promise<void> {
    const count = this.fields.size + this.fullText.size;
    if (this.ensured && this.ensuredFieldCount === count) return this.ensured;
    this.ensuredFieldCount = count;
    const ensuring = this.createOrExtend([...this.fields], [...this.fullText]);
    this.ensured = ensuring;
    // A failure is not remembered: the next operation tries again.
    ensuring.catch(() => {
      if (this.ensured === ensuring) this.ensured = undefined;
    });
    return ensuring;
  }

  private async createOrExtend(fields: string[], fullText: string[]): Promise<void> {
    const { client, retry } = this.settings;
    const settings = { number_of_shards: this.settings.numberOfShards, number_of_replicas: this.settings.numberOfReplicas, analysis: READ_MODEL_ANALYSIS };
    const { createIndex, alias, shadow } = this.target;
    const mappings = { ...readModelIndexMapping(fields, fullText), ...(shadow ? { _meta: { [SHADOW_META_KEY]: shadow } } : {}) };
    // A live collection is an alias over `-v<n>`: once it exists (or a concrete index from before
    // aliases has its name), only the mapping is extended; creating `-v1` again would give the
    // alias a second index after a rebuild deleted v1.
    const aliasExists = alias !== undefined && (await callOpenSearch('index exists', () => client.indices.exists({ index: alias }), retry)).body === true;
    if (!aliasExists) {
      try {
        await callOpenSearch('create index', () => client.indices.create({ index: createIndex, body: { settings, mappings, ...(alias ? { aliases: { [alias]: {} } } : {}) } }), retry, isIndexNameTaken);
        if (alias !== undefined) await dropIfSuperseded(client, alias, createIndex, retry);
        return;
      } catch (error) {
        if (!isIndexNameTaken(error)) throw error;
      }
    }
    // Created earlier (by another process, or before a field was declared): adding properties
    // is allowed; documents written before a field existed sort as NULL on it until rewritten.
    const properties = { fields: { properties: fieldProperties(fields) }, ...(fullText.length > 0 ? { text: { properties: textProperties(fullText) } } : {}) };
    const putMapping = (expected?: (error: unknown) => boolean): Promise<unknown> => callOpenSearch('put mapping', () => client.indices.putMapping({ index: this.index, body: { properties } }), retry, expected);
    try {
      await putMapping(lacksAnalyzer);
    } catch (mappingError) {
      if (!lacksAnalyzer(mappingError)) throw mappingError;
      await this.addAnalyzer();
      await putMapping();
    }
  }

  // An index created before full-text search has no analyzer for it, and analyzers can only be
  // added to a closed index: closed, given the analysis settings, opened again (once, briefly;
  // a write meanwhile meets a 4xx/5xx and is retried by its pipeline).
  private async addAnalyzer(): Promise<void> {
    const { client, retry } = this.settings;
    await callOpenSearch('close index', () => client.indices.close({ index: this.index }), retry);
    try {
      await callOpenSearch('put settings', () => client.indices.putSettings({ index: this.index, body: { analysis: READ_MODEL_ANALYSIS } }), retry);
    } finally {
      await callOpenSearch('open index', () => client.indices.open({ index: this.index, wait_for_active_shards: '1' }), retry);
    }
  }
}

class OpenSearchReadModelCollection<T> implements ReadModelCollection<T>, SearchableReadModelCollection<T> {
  constructor(
    readonly name: string,
    private readonly state: IndexState,
    private readonly settings: Settings,
  ) {}

  async get(id: string): Promise<ReadModelDocument<T> | undefined> {
    const stored = await this.read(id);
    return stored && !stored.source.deleted ? { id, version: stored.version, data: stored.source.data as T } : undefined;
  }

  async upsertIfNewer(id: string, version: number, data: T): Promise<boolean> {
    await this.state.ensure();
    return this.writeIfNewer('upsert', id, version, liveDocument(id, data, this.state.fields, this.state.fullText));
  }

  async deleteIfNewer(id: string, version: number): Promise<boolean> {
    const stored = await this.read(id);
    const removes = stored !== undefined && !stored.source.deleted && stored.version < version;
    // The tombstone is written even when nothing is removed: it raises the version a replayed
    // older upsert must beat, which is what keeps a deleted document deleted.
    const written = await this.writeIfNewer('delete', id, version, tombstone(id, this.settings.nowMs()));
    return written && removes;
  }

  async query(query: ReadModelQuery = {}): Promise<ReadModelPage<T>> {
    const plan = planOpenSearchQuery(query, this.state.fields);
    await this.state.ensure();
    await this.refreshIfWritten();
    const { client, retry } = this.settings;
    const response = await callOpenSearch('search', () => client.search({ index: this.state.index, body: plan.body }), retry);
    const hits = (response.body.hits.hits ?? []) as SearchHit[];
    const items = hits.slice(0, plan.limit);
    const last = items[items.length - 1];
    const nextCursor = hits.length > plan.limit && last ? plan.cursorAfter(last.sort) : undefined;
    return {
      items: items.map((hit) => ({ id: hit._id, version: hit._version, data: hit._source.data as T })),
      ...(nextCursor === undefined ? {} : { nextCursor }),
    };
  }

  async search(query: ReadModelSearchQuery): Promise<ReadModelSearchPage<T>> {
    const terms = searchTermsOf(query.text);
    const fullText = [...this.state.fullText];
    if (fullText.length === 0) throw new InvalidReadModelQueryError(`collection "${this.name}" has no full-text field to search`, { field: 'q' });
    const limit = searchLimitOf(query);
    const offset = searchOffsetOf(query, terms);
    const body = openSearchSearchBody(terms, query, fullText, this.state.fields, { offset, limit });
    await this.state.ensure();
    await this.refreshIfWritten();
    const { client, retry } = this.settings;
    const response = await callOpenSearch('search', () => client.search({ index: this.state.index, body }), retry);
    const hits = (response.body.hits.hits ?? []) as ScoredHit[];
    const nextCursor = hits.length > limit ? searchCursorAt(query, terms, offset + limit) : undefined;
    return {
      hits: hits.slice(0, limit).map((hit) => ({
        document: { id: hit._id, version: hit._version, data: hit._source.data as T },
        score: hit._score ?? 0,
        highlights: highlightsOfHit(hit.highlight),
      })),
      ...(nextCursor === undefined ? {} : { nextCursor }),
    };
  }

  private async read(id: string): Promise<{ version: number; source: StoredDocument } | undefined> {
    await this.state.ensure();
    const { client, retry } = this.settings;
    const response = await callOpenSearch('get', () => client.get({ index: this.state.index, id }, { ignore: [404] }), retry);
    const body = response.body as { found?: boolean; _version?: number; _source?: StoredDocument };
    return body.found && body._source && typeof body._version === 'number' ? { version: body._version, source: body._source } : undefined;
  }

  private async writeIfNewer(operation: string, id: string, version: number, document: StoredDocument): Promise<boolean> {
    const { client, retry } = this.settings;
    const notNewer = (error: unknown): boolean => openSearchStatusOf(error) === 409;
    try {
      await callOpenSearch(operation, () => client.index({ index: this.state.index, id, version, version_type: 'external', body: document }), retry, notNewer);
    } catch (error) {
      if (notNewer(error)) return false;
      throw error;
    }
    this.state.dirty = true;
    return true;
  }

  private async refreshIfWritten(): Promise<void> {
    if (!this.settings.refreshOnQuery) return;
    // A query that finds the index clean while another one's refresh is under way waits for it:
    // the writes it follows are only visible once that refresh is done.
    if (!this.state.dirty) return this.state.refreshing;
    // Cleared before the refresh: a write that lands during it marks the index again.
    this.state.dirty = false;
    const { client, retry } = this.settings;
    const refreshing = callOpenSearch('refresh', () => client.indices.refresh({ index: this.state.index }), retry).then(
      () => undefined,
      (error: unknown) => {
        this.state.dirty = true;
        throw error;
      },
    );
    this.state.refreshing = refreshing.catch(() => undefined);
    return refreshing;
  }
}

interface SearchHit {
  _id: string;
  _version: number;
  _source: { data?: unknown };
  sort: SortValue[];
}

interface ScoredHit {
  _id: string;
  _version: number;
  _score?: number | null;
  _source: { data?: unknown };
  highlight?: Record<string, string[]>;
}

/** A put mapping refused because the index has no full-text analyzer (created before full-text search). */
function lacksAnalyzer(error: unknown): boolean {
  const type = openSearchErrorTypeOf(error);
  return (type === 'illegal_argument_exception' || type === 'mapper_parsing_exception') && describeOpenSearchError(error).includes(`analyzer [${FULL_TEXT_ANALYZER}]`);
}
