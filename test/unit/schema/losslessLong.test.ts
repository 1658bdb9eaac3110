import { Type } from 'avsc';
import fc from 'fast-check';
import { LOSSLESS_LONG, losslessLongRegistry } from '../../../core/schema/losslessLong';
import { JAVA_LIKE_LONG } from './javaLikeLong';

type Schema = Parameters<typeof Type.forSchema>[0];

const SCHEMA = { type: 'record', name: 'test.Measured', fields: [{ name: 'value', type: 'long' }, { name: 'when', type: ['null', 'long'], default: null }] } as Schema;

const lossless = Type.forSchema(SCHEMA, { registry: losslessLongRegistry() });
const javaLike = Type.forSchema(SCHEMA, { registry: { long: JAVA_LIKE_LONG } });
const builtin = Type.forSchema(SCHEMA);

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe('the lossless Avro long', () => {
  it('reads every 64-bit value a Java-like writer writes, exactly', () => {
    fc.assert(
      fc.property(int64, int64, (value, when) => {
        // given
        const bytes = javaLike.toBuffer({ value, when });
        // when
        const read = lossless.fromBuffer(bytes) as { value: number | bigint; when: number | bigint };
        // then
        expect(BigInt(read.value)).toBe(value);
        expect(BigInt(read.when)).toBe(when);
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes every 64-bit value as the Java-like writer does, byte for byte', () => {
    fc.assert(
      fc.property(int64, (value) => {
        // given / when
        const written = lossless.toBuffer({ value, when: null });
        // then
        expect(written.equals(javaLike.toBuffer({ value, when: null }))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a safe integer as a number, and writes safe numbers as the Java-like writer does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger()), (value) => {
        // given
        const bytes = javaLike.toBuffer({ value: BigInt(value), when: BigInt(value) });
        // when
        const read = lossless.fromBuffer(bytes) as { value: unknown; when: unknown };
        // then
        expect(read).toEqual({ value, when: value });
        expect(lossless.toBuffer({ value, when: value }).equals(bytes)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with avsc on the values its own long handles exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((n) => n * 2 ** 20), (value) => {
        // given: |value| <= 2^51, where avsc's double arithmetic is exact
        const bytes = builtin.toBuffer({ value, when: null });
        // when / then
        expect(lossless.fromBuffer(bytes)).toEqual({ value, when: null });
        expect(lossless.toBuffer({ value, when: null }).equals(bytes)).toBe(true);
      }),
    );
  });

  it('keeps -(2^52 + 1), which avsc alone writes as +2^52', () => {
    // given: a safe integer whose zigzag form (2^53 + 1) a double cannot hold
    const value = -(2 ** 52) - 1;
    // when
    const read = lossless.fromBuffer(lossless.toBuffer({ value, when: null })) as Record<string, unknown>;
    // then
    expect(read.value).toBe(value);
    expect(builtin.fromBuffer(builtin.toBuffer({ value, when: null }))).toEqual({ value: 2 ** 52, when: null });
  });

  it('reads 2^60, which avsc alone refuses as a potential precision loss, as a bigint', () => {
    // given: a long of 2^60 written by a Java-like producer
    const bytes = javaLike.toBuffer({ value: 2n ** 60n, when: -(2n ** 60n) });
    // when
    const read = lossless.fromBuffer(bytes) as Record<string, unknown>;
    // then
    expect(read).toEqual({ value: 2n ** 60n, when: -(2n ** 60n) });
    expect(() => builtin.fromBuffer(bytes)).toThrow('potential precision loss');
  });

  it.each([
    ['the largest safe integer', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['one beyond it', 2n ** 53n, 2n ** 53n],
    ['the smallest long', -(2n ** 63n), -(2n ** 63n)],
    ['the largest long', 2n ** 63n - 1n, 2n ** 63n - 1n],
    ['a safe bigint, narrowed to a number', 42n, 42],
  ])('round-trips %s', (_name, value, expected) => {
    // given
    const bytes = lossless.toBuffer({ value, when: null });
    // when
    const read = lossless.fromBuffer(bytes) as Record<string, unknown>;
    // then
    expect(read.value).toEqual(expected);
  });

  it.each([
    ['an unsafe number', 2 ** 60],
    ['a fraction', 1.5],
    ['a bigint beyond 64 bits', 2n ** 63n],
    ['a string', '12'],
  ])('refuses to write %s', (_name, value) => {
    // given / when
    const valid = lossless.isValid({ value, when: null });
    // then
    expect(valid).toBe(false);
    expect(() => lossless.toBuffer({ value, when: null })).toThrow();
  });

  it('refuses a varint longer than 64 bits', () => {
    // given: ten continuation bytes and one more, eleven in all
    const bytes = Buffer.from([...Array<number>(10).fill(0xff), 0x01, 0x00]);
    // when
    const reading = (): unknown => lossless.fromBuffer(bytes);
    // then
    expect(reading).toThrow('exceeds 64 bits');
  });

  it('reads a long field with a default from the schema', () => {
    // given: a reader that added a long with a default, resolving an older writer
    const reader = Type.forSchema(
      { type: 'record', name: 'test.Measured', fields: [{ name: 'value', type: 'long' }, { name: 'limit', type: 'long', default: 7 }] },
      { registry: losslessLongRegistry() },
    );
    const writer = Type.forSchema({ type: 'record', name: 'test.Measured', fields: [{ name: 'value', type: 'long' }] }, { registry: losslessLongRegistry() });
    // when
    const read = reader.fromBuffer(writer.toBuffer({ value: 2n ** 60n }), reader.createResolver(writer)) as Record<string, unknown>;
    // then
    expect(read).toEqual({ value: 2n ** 60n, limit: 7 });
  });

  it('is one shared long type, and each registry is fresh', () => {
    // given / when
    const first = losslessLongRegistry();
    const second = losslessLongRegistry();
    // then
    expect(first).not.toBe(second);
    expect(first.long).toBe(LOSSLESS_LONG);
  });
});
