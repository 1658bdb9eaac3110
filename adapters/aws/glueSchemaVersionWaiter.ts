import { GlueSchemaVersionFailedError, GlueSchemaVersionStillPendingError } from './glueSchemaRegistryErrors';

/** How {@link awaitAvailableSchemaVersion} waits out a PENDING version. */
export interface SchemaVersionWaitOptions {
  /** Pause between two status reads. @defaultValue 250 */
  pollIntervalMs?: number;
  /** Longest wait for a PENDING version, after which it is an error. @defaultValue 30000 */
  maxWaitMs?: number;
  /** Time source and sleep; tests pass a virtual clock. @defaultValue the real clock */
  clock?: WaitClock;
}

/** A time source the waiter reads and sleeps on. */
export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Defaults of {@link SchemaVersionWaitOptions}. */
export const SCHEMA_VERSION_WAIT_DEFAULTS: Required<SchemaVersionWaitOptions> = {
  pollIntervalMs: 250,
  maxWaitMs: 30_000,
  clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
};

/** A schema version as Glue describes it: its status, whatever else the answer carries. */
export interface SchemaVersionStatus {
  /** AVAILABLE | PENDING | FAILURE | DELETING */
  Status?: string;
}

/**
 * Returns `first` once Glue has finished with it: as is when AVAILABLE; when PENDING (Glue is
 * still checking compatibility) it re-reads the version with `readAgain` every `pollIntervalMs`
 * until it is AVAILABLE. A version that ends FAILURE or DELETING (or has no status) throws
 * GLUE_SCHEMA_VERSION_FAILED; one still PENDING after `maxWaitMs` throws
 * GLUE_SCHEMA_VERSION_STILL_PENDING. Errors of `readAgain` pass through.
 *
 * @example const version = await awaitAvailableSchemaVersion(registered, () => getVersion(id), subject);
 */
export async function awaitAvailableSchemaVersion<T extends SchemaVersionStatus>(
  first: T,
  readAgain: () => Promise<T>,
  subject: { schemaName: string; schemaVersionId: string },
  options: SchemaVersionWaitOptions = {},
): Promise<T> {
  const { pollIntervalMs, maxWaitMs, clock } = { ...SCHEMA_VERSION_WAIT_DEFAULTS, ...options };
  const startedAt = clock.now();
  let current = first;
  while (current.Status === 'PENDING') {
    const waitedMs = clock.now() - startedAt;
    if (waitedMs >= maxWaitMs) throw new GlueSchemaVersionStillPendingError(subject.schemaName, subject.schemaVersionId, waitedMs);
    await clock.sleep(Math.min(pollIntervalMs, maxWaitMs - waitedMs));
    current = await readAgain();
  }
  if (current.Status !== 'AVAILABLE') throw new GlueSchemaVersionFailedError(subject.schemaName, subject.schemaVersionId, current.Status ?? 'missing');
  return current;
}
