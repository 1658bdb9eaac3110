import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DeadLetter } from '../../../core/deadletter/DeadLetterStore';
import { DEAD_LETTER_ATTRIBUTES as A } from './deadLetterTable';

/** DynamoDB's limit on one item, names and values: "400 KB", read as 400,000 bytes to be safe. */
export const DYNAMODB_MAX_ITEM_BYTES = 400_000;
/** DynamoDB's limit on the items of one TransactWriteItems, in bytes. */
export const DYNAMODB_MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** DynamoDB's limit on the items of one TransactWriteItems. */
export const DYNAMODB_MAX_TRANSACTION_ITEMS = 100;

/** Room left in each item for what our size estimate may miss (DynamoDB's exact rounding). */
const ITEM_SLACK_BYTES = 1024;

export type Item = Record<string, AttributeValue>;

/** The partition of an entry's items. */
export function entryPk(id: number): string {
  return `entry#${id}`;
}

/** The partition of a key's parked markers; JSON keeps `("a#b", "c")` apart from `("a", "b#c")`. */
export function parkedPk(pipelineName: string, key: string): string {
  return `parked#${JSON.stringify([pipelineName, key])}`;
}

/**
 * The items of one entry: part 0 with every field and the first slice of the bytes, then as
 * many parts as the rest of the bytes need, each at most `maxItemBytes` (DynamoDB's limit by
 * default). Undefined when part 0's fields alone leave no room (an error message of hundreds of KB).
 */
export function entryItems(entry: DeadLetter, maxItemBytes = DYNAMODB_MAX_ITEM_BYTES): Item[] | undefined {
  const fields: Item = {
    [A.pk]: { S: entryPk(entry.id) },
    [A.sk]: { N: '0' },
    [A.id]: { N: String(entry.id) },
    [A.pipelineName]: { S: entry.pipelineName },
    [A.key]: { S: entry.key },
    [A.sourcePosition]: { N: String(entry.sourcePosition) },
    [A.errorCode]: { S: entry.errorCode },
    [A.errorMessage]: { S: entry.errorMessage },
    [A.attempts]: { N: String(entry.attempts) },
    [A.parkedAt]: { S: entry.parkedAt },
    [A.status]: { S: entry.status },
    [A.parts]: { N: '99' },
    ...(entry.parkedBehindId === null ? {} : { [A.parkedBehindId]: { N: String(entry.parkedBehindId) } }),
    ...(entry.resolvedAt === null ? {} : { [A.resolvedAt]: { S: entry.resolvedAt } }),
  };
  const room = (item: Item): number => maxItemBytes - ITEM_SLACK_BYTES - itemBytes(item) - Buffer.byteLength(A.bytes);
  const firstRoom = room(fields);
  if (firstRoom <= 0) return undefined;
  const nextRoom = room({ [A.pk]: fields[A.pk] as AttributeValue, [A.sk]: { N: '99' } });
  const slices = [entry.record.subarray(0, firstRoom)];
  for (let start = firstRoom; start < entry.record.length; start += nextRoom) slices.push(entry.record.subarray(start, start + nextRoom));
  return slices.map((slice, part): Item =>
    part === 0
      ? { ...fields, [A.parts]: { N: String(slices.length) }, [A.bytes]: { B: slice } }
      : { [A.pk]: { S: entryPk(entry.id) }, [A.sk]: { N: String(part) }, [A.bytes]: { B: slice } },
  );
}

/** The entry of part 0 with the bytes of every part (part 0 first). */
export function deadLetterOf(part0: Item, slices: readonly Uint8Array[]): DeadLetter {
  const behind = part0[A.parkedBehindId]?.N;
  return {
    id: Number(part0[A.id]?.N),
    pipelineName: part0[A.pipelineName]?.S ?? '',
    key: part0[A.key]?.S ?? '',
    sourcePosition: Number(part0[A.sourcePosition]?.N),
    record: Buffer.concat(slices),
    errorCode: part0[A.errorCode]?.S ?? '',
    errorMessage: part0[A.errorMessage]?.S ?? '',
    attempts: Number(part0[A.attempts]?.N),
    parkedBehindId: behind === undefined ? null : Number(behind),
    parkedAt: part0[A.parkedAt]?.S ?? '',
    status: (part0[A.status]?.S ?? 'parked') as DeadLetter['status'],
    resolvedAt: part0[A.resolvedAt]?.S ?? null,
  };
}

/** How many parts an entry's bytes are stored in. */
export function partsOf(part0: Item): number {
  return Number(part0[A.parts]?.N ?? 1);
}

/**
 * An upper bound of an item's size as DynamoDB counts it: UTF-8 names plus values, numbers at
 * their maximum of 21 bytes.
 */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.B !== undefined) bytes += value.B.length;
    else if (value.N !== undefined) bytes += 21;
    else bytes += 1;
  }
  return bytes;
}
