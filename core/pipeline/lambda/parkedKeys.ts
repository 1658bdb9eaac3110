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
  /** The bytes of its parked entries (at most {@link PARKED_SCAN_LIMIT} and the oldest). */
  parkedRecords: readonly Buffer[];
}

/**
 * Which of `keys` are parked in `pipelineName`, asked of the store, which persists it across
 * invocations: `oldestParked` per key (strongly consistent in every store, unlike `list`, which
 * reads an eventually consistent index on DynamoDB and serves only to recognise redeliveries),
 * at most `concurrency` questions at a time. Throws when the store fails.
 */
export async function parkedKeysOf(deadLetters: DeadLetterStore, pipelineName: string, keys: Iterable<string>, concurrency: number): Promise<Map<string, ParkedKey>> {
  const parked = new Map<string, ParkedKey>();
  const pending = [...new Set(keys)];
  const ask = async (): Promise<void> => {
    for (let key = pending.shift(); key !== undefined; key = pending.shift()) {
      const oldest = await deadLetters.oldestParked(pipelineName, key);
      if (!oldest) continue;
      const entries = await deadLetters.list({ pipelineName, key, status: 'parked', limit: PARKED_SCAN_LIMIT });
      parked.set(key, { blockingId: oldest.id, parkedRecords: [oldest.record, ...entries.map((entry) => entry.record)] });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, ask));
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
