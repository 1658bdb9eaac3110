import { NexusError } from '../errors/NexusError';
import { SNAPSHOT_ERRORS } from './SnapshotErrors';

/**
 * How an aggregate type is snapshotted, declared with the aggregate
 * (`AggregateDefinition.snapshots`). A snapshot is a cache of the fold of its events: losing one
 * costs a longer replay, never data.
 *
 * @example
 * ```ts
 * snapshots: { foldVersion: 2, everyEvents: 100, maxStateBytes: 64 * 1024 }
 * ```
 */
export interface SnapshotOptions {
  /**
   * The version of the code that folds events (the decider's `evolve` and `initialState`): bump
   * it whenever they change. A snapshot made by another fold version is never served; it is
   * replaced when the trigger next fires.
   */
  foldVersion: string | number;
  /**
   * Trigger: a snapshot is requested after an append leaves at least this many events after the
   * snapshot the command was loaded from. @defaultValue 100 (when `maxStateBytes` is not set either)
   */
  everyEvents?: number;
  /**
   * Trigger: a snapshot is requested after an append leaves a state whose JSON is at least this
   * many bytes (UTF-8); the size is measured only when this is set. @defaultValue not measured
   */
  maxStateBytes?: number;
  /** How long a snapshot is kept after it was made. @defaultValue 2592000 (30 days) */
  ttlSeconds?: number;
  /**
   * The time rule: an aggregate whose events have stood this long without a current snapshot
   * is snapshotted by the sweep. @defaultValue 86400 (24 hours)
   */
  sweepAgeSeconds?: number;
}

/** Defaults of {@link SnapshotOptions}. */
export const SNAPSHOT_DEFAULTS = {
  /** @defaultValue 100 */
  everyEvents: 100,
  /** @defaultValue 30 days */
  ttlSeconds: 30 * 86_400,
  /** @defaultValue 24 hours */
  sweepAgeSeconds: 86_400,
} as const;

/** {@link SnapshotOptions} with defaults applied and the fold version as text. */
export interface SnapshotSettings {
  foldVersion: string;
  /** Undefined: the event count never fires (only `maxStateBytes` does). */
  everyEvents: number | undefined;
  maxStateBytes: number | undefined;
  ttlSeconds: number;
  sweepAgeSeconds: number;
}

/**
 * Applies the defaults once, at setup; `SNAPSHOT_OPTIONS_INVALID` naming the aggregate type and
 * the field when a count or size is not a positive integer or the fold version is empty.
 */
export function snapshotSettings(aggregateType: string, options: SnapshotOptions): SnapshotSettings {
  const foldVersion = String(options.foldVersion);
  if (foldVersion === '' || (typeof options.foldVersion === 'number' && !Number.isSafeInteger(options.foldVersion))) {
    throw invalid(aggregateType, 'foldVersion', 'must be a non-empty string or an integer');
  }
  for (const field of ['everyEvents', 'maxStateBytes', 'ttlSeconds', 'sweepAgeSeconds'] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) throw invalid(aggregateType, field, 'must be a positive integer');
  }
  const neither = options.everyEvents === undefined && options.maxStateBytes === undefined;
  return {
    foldVersion,
    everyEvents: neither ? SNAPSHOT_DEFAULTS.everyEvents : options.everyEvents,
    maxStateBytes: options.maxStateBytes,
    ttlSeconds: options.ttlSeconds ?? SNAPSHOT_DEFAULTS.ttlSeconds,
    sweepAgeSeconds: options.sweepAgeSeconds ?? SNAPSHOT_DEFAULTS.sweepAgeSeconds,
  };
}

function invalid(aggregateType: string, field: string, why: string): NexusError {
  return new NexusError(SNAPSHOT_ERRORS.OPTIONS_INVALID, `snapshots.${field} of aggregate ${aggregateType} ${why}`, { details: { aggregateType, field } });
}
