import type { ReadModelField } from './ReadModelDeclaration';

/** A read-model document with the aggregate version it reflects. */
export interface ReadModelDocument<T> {
  id: string;
  version: number;
  data: T;
}

export type SortDirection = 'asc' | 'desc';

/** The range operators of {@link ReadModelQuery.range}: >, >=, <, <=. */
export const RANGE_OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;

export type RangeOperator = (typeof RANGE_OPERATORS)[number];

/**
 * Bounds on one field, all of which a document must meet. A number bound matches numeric values
 * only, a string bound text values only (compared as UTF-8 bytes, as ISO-8601 timestamps in one
 * form compare in time order); a document without the field never matches.
 */
export type ReadModelRange = Partial<Record<RangeOperator, string | number>>;

export interface ReadModelQuery {
  /** Equality filters on top-level fields of `data`. */
  where?: Record<string, string | number | boolean>;
  /** Range filters on top-level fields of `data`, ANDed with `where`. */
  range?: Readonly<Record<string, ReadModelRange>>;
  /** A top-level field of `data`; default `id`. */
  sortBy?: string;
  direction?: SortDirection;
  /** Default 20, at most 100. */
  limit?: number;
  cursor?: string;
}

export interface ReadModelPage<T> {
  items: ReadModelDocument<T>[];
  nextCursor?: string;
}

/** Error codes owned by the read model port. */
export const READ_MODEL_ERRORS = {
  INVALID_QUERY: 'INVALID_READ_MODEL_QUERY',
  STORE_UNAVAILABLE: 'READ_MODEL_UNAVAILABLE',
} as const;

/** One named collection of documents. */
export interface ReadModelCollection<T = Record<string, unknown>> {
  readonly name: string;
  get(id: string): Promise<ReadModelDocument<T> | undefined>;
  /**
   * Writes `data` at `version` only if the stored version is lower (or absent): duplicates and
   * replays are harmless. Returns true when it wrote.
   */
  upsertIfNewer(id: string, version: number, data: T): Promise<boolean>;
  /** Removes the document only if the stored version is lower than `version`. */
  deleteIfNewer(id: string, version: number): Promise<boolean>;
  query(query?: ReadModelQuery): Promise<ReadModelPage<T>>;
}

/** Index hints of a collection; engines without secondary indexes ignore them. */
/**
 * The synchronous side of a collection whose store answers without I/O waits (embedded SQLite):
 * the same semantics as `get` / `upsertIfNewer` / `deleteIfNewer`, returned, not promised. Lets a
 * projection apply a record without two promises and an inner subscription per record.
 */
export interface SyncReadModelCollection<T = Record<string, unknown>> {
  getNow(id: string): ReadModelDocument<T> | undefined;
  upsertIfNewerNow(id: string, version: number, data: T): boolean;
  deleteIfNewerNow(id: string, version: number): boolean;
}

/** Does `collection` offer {@link SyncReadModelCollection}? */
export function isSyncReadModelCollection<T>(collection: ReadModelCollection<T>): collection is ReadModelCollection<T> & SyncReadModelCollection<T> {
  const candidate = collection as Partial<SyncReadModelCollection<T>>;
  return typeof candidate.getNow === 'function' && typeof candidate.upsertIfNewerNow === 'function' && typeof candidate.deleteIfNewerNow === 'function';
}

export interface ReadModelCollectionOptions {
  /** Fields queried or sorted on alone. */
  indexedFields?: readonly string[];
  /**
   * Field lists served by one index each, in order: an equality filter on the leading fields and a
   * sort on the last (e.g. `['customerId', 'createdAt']`), so such a page reads only its rows
   * instead of sorting every match.
   */
  compositeIndexes?: ReadonlyArray<readonly string[]>;
  /**
   * The declared fields with their types: an engine with a schema lays out the filterable and
   * sortable ones as typed columns (embedded SQLite); others may ignore them.
   */
  fields?: Readonly<Record<string, ReadModelField>>;
}

/** Factory of collections; index hints become secondary indexes where the engine supports them. */
export interface ReadModelStore {
  collection<T = Record<string, unknown>>(name: string, options?: ReadModelCollectionOptions): ReadModelCollection<T>;
}
