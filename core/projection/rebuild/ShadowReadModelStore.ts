import type { ReadModelCollection, ReadModelCollectionOptions, ReadModelStore } from '../../readmodel/ReadModelStore';
import { shadowCollectionName } from '../../readmodel/ReadModelVersions';

/**
 * The read-model store a rebuilding pipeline is given: the same collections by name, stored as
 * the shadows of `version` (`orders` -> `orders--order-list--v2`), so that the unchanged pipeline
 * definition fills the new version while readers keep the live one. Collections keep their
 * declared options, so a shadow gets the current declaration's layout.
 */
export class ShadowReadModelStore implements ReadModelStore {
  constructor(
    private readonly live: ReadModelStore,
    private readonly pipeline: string,
    private readonly version: number,
  ) {}

  collection<T = Record<string, unknown>>(name: string, options?: ReadModelCollectionOptions): ReadModelCollection<T> {
    return this.live.collection<T>(shadowCollectionName(name, this.pipeline, this.version), options);
  }
}
