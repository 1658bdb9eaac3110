import { types } from 'avsc';
import type { Type } from 'avsc';

/**
 * Test oracle: an avsc long that reads and writes every value as a bigint over the 8 bytes avsc
 * unpacks, as a Java producer's `long` does. Independent of the lossless long under test.
 */
export const JAVA_LIKE_LONG: Type = types.LongType.__with({
  fromBuffer: (buffer: Buffer): bigint => buffer.readBigInt64LE(0),
  toBuffer: (value: bigint): Buffer => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(value);
    return buffer;
  },
  fromJSON: (json: unknown): bigint => BigInt(json as string),
  toJSON: (value: bigint): string => value.toString(),
  isValid: (value: unknown): boolean => typeof value === 'bigint',
  compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
}) as Type;
