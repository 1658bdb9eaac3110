import { types } from 'avsc';
import type { Type } from 'avsc';

/** The value of an Avro `long` read by {@link LOSSLESS_LONG}: a number when safe, else a bigint. */
export type AvroLong = number | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Zigzag varints up to 7 bytes hold 49 bits: exact in a double. */
const EXACT_VARINT_BYTES = 7;
/** Below 2^52 in magnitude, a long's zigzag form is exact in a double. */
const EXACT_NUMBER = 2 ** 52;

/**
 * The Avro `long` of every schema Nexus compiles: lossless over the whole 64-bit range, where
 * avsc's own long throws "potential precision loss" beyond 2^53 (values a Java producer writes
 * freely: ids, nanosecond timestamps). It reads a number when the value is a safe integer, which
 * is every value avsc's own long can read, so existing code sees no change, and a bigint
 * otherwise; it writes either.
 *
 * avsc hands it the raw zigzag varint bytes (`noUnpack`), so small values are decoded with
 * double arithmetic and only values of 8 bytes or more pay for BigInt. Schemas without a
 * `long` never meet it.
 *
 * @example Type.forSchema(schema, { registry: losslessLongRegistry() })
 */
export const LOSSLESS_LONG: Type = types.LongType.__with(
  {
    fromBuffer: readVarint,
    toBuffer: writeVarint,
    fromJSON: fromJson,
    toJSON: (value: AvroLong): AvroLong | string => (typeof value === 'bigint' ? value.toString() : value),
    isValid: isAvroLong,
    compare: (a: AvroLong, b: AvroLong): number => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
) as Type;

/**
 * A fresh avsc type registry holding {@link LOSSLESS_LONG} for `long`. Fresh per schema: avsc adds
 * the schema's named types to the registry it is given.
 */
export function losslessLongRegistry(): Record<string, Type> {
  return { long: LOSSLESS_LONG };
}

/** True for a safe integer number or an in-range bigint. */
export function isAvroLong(value: unknown): value is AvroLong {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX;
}

function readVarint(bytes: Buffer): AvroLong {
  const length = bytes.length;
  if (length <= EXACT_VARINT_BYTES) {
    let zigzag = 0;
    let scale = 1;
    for (let index = 0; index < length; index++) {
      zigzag += ((bytes[index] ?? 0) & 0x7f) * scale;
      scale *= 128;
    }
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }
  let zigzag = 0n;
  let shift = 0n;
  for (let index = 0; index < length; index++) {
    zigzag |= BigInt((bytes[index] ?? 0) & 0x7f) << shift;
    shift += 7n;
  }
  if (zigzag >> 64n !== 0n) throw new Error(`long varint of ${length} bytes exceeds 64 bits`);
  return narrow((zigzag >> 1n) ^ -(zigzag & 1n));
}

// avsc copies what toBuffer returns into its own output at once (writeFixed), so one scratch
// buffer serves every write; a varint of 64 bits takes at most 10 bytes.
const scratch = Buffer.alloc(10);

function writeVarint(value: AvroLong): Buffer {
  let length = 0;
  if (typeof value === 'number' && value > -EXACT_NUMBER && value < EXACT_NUMBER) {
    // |value| < 2^52: its zigzag form stays below 2^53, exact in double arithmetic.
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
    while (zigzag >= 128) {
      scratch[length++] = (zigzag % 128) | 0x80;
      zigzag = Math.floor(zigzag / 128);
    }
    scratch[length++] = zigzag;
    return scratch.subarray(0, length);
  }
  const big = BigInt(value);
  let zigzag = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
  while (zigzag >= 128n) {
    scratch[length++] = Number(zigzag & 0x7fn) | 0x80;
    zigzag >>= 7n;
  }
  scratch[length++] = Number(zigzag);
  return scratch.subarray(0, length);
}

/** Defaults come from schema JSON (numbers); {@link LOSSLESS_LONG}'s toJSON writes big values as strings. */
function fromJson(json: unknown): AvroLong {
  if (typeof json === 'number' || typeof json === 'bigint') return narrow(BigInt(json));
  if (typeof json === 'string' && /^-?\d+$/.test(json)) return narrow(BigInt(json));
  throw new Error(`not an Avro long: ${String(json)}`);
}

function narrow(value: bigint): AvroLong {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}
