import type { DeadLetterStore } from '../../deadletter/DeadLetterStore';

/**
 * Parked entries of one key read per invocation to recognise records parked already; a key with
 * more parked entries may see a redelivered record parked twice (harmless: redrives are idempotent).
 */
export const PARKED_SCAN_LIMIT = 1000;

/** A key parked in the dead-letter store by an earlier invocation. */
export interface ParkedKey {
  /** Its oldest parked entry: later records of the key park behind it. */
  blockingId: number;
  /** The bytes of its parked entries (oldest first, at most {@link PARKED_SCAN_LIMIT}). */
  parkedRecords: readonly Buffer[];
}

/**
 * Which of `keys` are parked in `pipelineName`, asked of the store, which persists it across
 * invocations (one query when nothing of the pipeline is parked). Throws when the store fails.
 */
export async function parkedKeysOf(deadLetters: DeadLetterStore, pipelineName: string, keys: Iterable<string>): Promise<Map<string, ParkedKey>> {
  const parked = new Map<string, ParkedKey>();
  if ((await deadLetters.list({ pipelineName, status: 'parked', limit: 1 })).length === 0) return parked;
  for (const key of new Set(keys)) {
    const entries = await deadLetters.list({ pipelineName, key, status: 'parked', limit: PARKED_SCAN_LIMIT });
    const oldest = entries[0];
    if (oldest) parked.set(key, { blockingId: oldest.id, parkedRecords: entries.map((entry) => entry.record) });
  }
  return parked;
}

/**
 * True when `record` is already parked for its key: Lambda delivers records again after a partial
 * failure (everything from the reported sequence number on) or a timeout, and the envelope bytes
 * carry the event id, so equal bytes are the same event.
 */
export function isParkedAlready(key: ParkedKey, record: Buffer): boolean {
  return key.parkedRecords.some((parked) => parked.equals(record));
}
