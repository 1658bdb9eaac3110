import type { ReadModelCollection } from '../../core/readmodel/ReadModelStore';

/**
 * A collection as a store with real I/O would offer it: promises only, without the synchronous
 * side that the SQLite collection also has, so code under test takes its asynchronous path.
 */
export function asyncOnly<T>(collection: ReadModelCollection<T>): ReadModelCollection<T> {
  return {
    name: collection.name,
    get: (id) => collection.get(id),
    upsertIfNewer: (id, version, data) => collection.upsertIfNewer(id, version, data),
    deleteIfNewer: (id, version) => collection.deleteIfNewer(id, version),
    query: (query) => collection.query(query),
  };
}
