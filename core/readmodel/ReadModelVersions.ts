/**
 * Versions of a projection's read models: a rebuild replays the pipeline's source into a new
 * version (shadow collections beside the live ones) and switches readers to it atomically.
 */

/** Error codes owned by the read-model versions port and the rebuild. */
export const READ_MODEL_VERSION_ERRORS = {
  /** The pipeline has side effects other than read models, or reads a queue that cannot be replayed. */
  NOT_REBUILDABLE: 'PROJECTION_NOT_REBUILDABLE',
  /** The shadow could not catch up with the source inside the switch; run the rebuild again (it resumes). */
  BEHIND: 'PROJECTION_REBUILD_BEHIND',
  /** The rebuild was stopped (signal) before the switch; running it again resumes it. */
  INTERRUPTED: 'PROJECTION_REBUILD_INTERRUPTED',
  /** The versions' storage failed. */
  STORE_UNAVAILABLE: 'READ_MODEL_VERSIONS_UNAVAILABLE',
} as const;

/** Where a projection's read models stand. */
export interface ProjectionVersion {
  pipeline: string;
  /** The version readers see: 1 until a rebuild switches. */
  version: number;
  /** An unfinished rebuild (running, or interrupted by a crash or signal). */
  rebuild?: { version: number; startedAt: string };
}

/** A rebuild begun or resumed by {@link ReadModelVersions.beginRebuild}. */
export interface BegunRebuild {
  version: number;
  /** True when an unfinished rebuild of this version was found and is resumed. */
  resumed: boolean;
}

/**
 * The versions of each projection's read models (port). Implementations: SQLite (a table per
 * version, the meta row switched in one transaction).
 */
export interface ReadModelVersions {
  /** The current version of `pipeline` and its unfinished rebuild, if any. */
  get(pipeline: string): Promise<ProjectionVersion>;
  /** Starts the next version's rebuild, or returns the unfinished one (resume). */
  beginRebuild(pipeline: string): Promise<BegunRebuild>;
  /**
   * In one write transaction: runs `catchUp` (which applies the source's last records to the
   * shadow collections), then points every collection of `pipeline` that has a shadow of
   * `version` at it, drops the old tables and records `version` as current. When `catchUp`
   * throws, nothing changes and the error is rethrown. Resolves with the switched collections.
   */
  switchTo(pipeline: string, version: number, catchUp: () => Promise<void>): Promise<readonly string[]>;
}

/**
 * The name of the shadow of `collection` written by `pipeline`'s rebuild into `version`:
 * `<collection>--<pipeline>--v<n>`. Lower case, digits, `-` and `_` only (pipeline names are
 * kebab-case), so it is a valid collection on every store, OpenSearch's index names included.
 */
export function shadowCollectionName(collection: string, pipeline: string, version: number): string {
  return `${collection}${shadowSuffix(pipeline, version)}`;
}

/** What every shadow collection of one rebuild ends with. */
export function shadowSuffix(pipeline: string, version: number): string {
  return `--${pipeline}--v${version}`;
}

/** A shadow collection's name taken apart. */
export interface ShadowCollection {
  collection: string;
  pipeline: string;
  version: number;
}

const SHADOW_NAME = /^(.+?)--([a-z][a-z0-9-]*)--v([1-9][0-9]*)$/;

/** The parts of a shadow collection's name, or undefined for a live collection. */
export function parseShadowCollectionName(name: string): ShadowCollection | undefined {
  const match = SHADOW_NAME.exec(name);
  return match ? { collection: match[1] ?? '', pipeline: match[2] ?? '', version: Number(match[3]) } : undefined;
}

/** Is `collection` a shadow (a version being rebuilt), not a live collection? */
export function isShadowCollection(collection: string): boolean {
  return parseShadowCollectionName(collection) !== undefined;
}

/** The checkpoint name of `pipeline`'s rebuild into `version`. */
export function rebuildCheckpointName(pipeline: string, version: number): string {
  return `${pipeline}@rebuild-v${version}`;
}
