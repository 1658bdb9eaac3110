import { deflateSync } from 'node:zlib';
import { decodeGlueFrame, encodeGlueFrame, GLUE_HEADER_LENGTH } from '../../../core/wire/GlueWireFormat';
import { createSchemaEnvironment } from '../../support/schemaEnvironment';

const VERSION_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const DATUM = Buffer.from([0x02, 0x61, 0x62, 0x63, 0x00, 0xff]);

function frame(header: number[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(header), Buffer.from(VERSION_ID.replace(/-/g, ''), 'hex'), body]);
}

describe('Glue wire format', () => {
  it.each(['none', 'zlib'] as const)('round-trips a datum with compression %s', (compression) => {
    // given
    const encoded = encodeGlueFrame(VERSION_ID, DATUM, compression);
    // when
    const decoded = decodeGlueFrame(encoded);
    // then
    expect(decoded).toEqual({ schemaVersionId: VERSION_ID, compression, datum: DATUM });
  });

  it('lays out header version 3, the compression byte, the UUID in RFC 4122 order, then the datum', () => {
    // given / when
    const plain = encodeGlueFrame(VERSION_ID, DATUM, 'none');
    const zipped = encodeGlueFrame(VERSION_ID, DATUM, 'zlib');
    // then
    expect(plain).toEqual(frame([3, 0], DATUM));
    expect(zipped).toEqual(frame([3, 5], deflateSync(DATUM)));
    expect(plain.subarray(2, GLUE_HEADER_LENGTH).toString('hex')).toBe('0f8fad5bd9cb469fa16570867728950e');
  });

  it('decodes a frame that is a view into a larger buffer', () => {
    // given
    const encoded = encodeGlueFrame(VERSION_ID, DATUM);
    const padded = Buffer.concat([Buffer.from([9, 9, 9]), encoded]);
    // when
    const decoded = decodeGlueFrame(padded.subarray(3));
    // then
    expect(decoded.schemaVersionId).toBe(VERSION_ID);
    expect(decoded.datum).toEqual(DATUM);
  });

  it.each([
    ['TOO_SHORT', Buffer.from([3, 0, 1, 2, 3])],
    ['TOO_SHORT', Buffer.alloc(0)],
    ['BAD_HEADER_VERSION', frame([2, 0], DATUM)],
    ['BAD_COMPRESSION', frame([3, 1], DATUM)],
    ['BAD_ZLIB_DATA', frame([3, 5], Buffer.from('not zlib at all'))],
    ['BAD_ZLIB_DATA', frame([3, 5], deflateSync(DATUM).subarray(0, 6))],
    ['TRAILING_ZLIB_BYTES', frame([3, 5], Buffer.concat([deflateSync(DATUM), Buffer.from([0])]))],
    ['TRAILING_ZLIB_BYTES', frame([3, 5], Buffer.concat([deflateSync(DATUM), deflateSync(DATUM)]))],
  ])('rejects a malformed frame (%s)', (reason, bytes) => {
    // given: a malformed frame
    // when
    const decoding = (): unknown => decodeGlueFrame(bytes);
    // then
    expect(decoding).toThrow(expect.objectContaining({ code: 'MALFORMED_FRAME', reason, details: { reason } }));
  });

  it('refuses bytes after the end of the zlib stream, naming how many', () => {
    // given: a zlib frame with three stray bytes after its stream
    const bytes = frame([3, 5], Buffer.concat([deflateSync(DATUM), Buffer.from([1, 2, 3])]));
    // when
    const decoding = (): unknown => decodeGlueFrame(bytes);
    // then
    expect(decoding).toThrow(expect.objectContaining({ code: 'MALFORMED_FRAME', reason: 'TRAILING_ZLIB_BYTES', message: expect.stringContaining('3 byte(s) after the end of its zlib stream') }));
  });

  it('inflates a large zlib datum whole', () => {
    // given: a datum large enough to inflate in several chunks
    const large = Buffer.alloc(256 * 1024, 7);
    // when
    const decoded = decodeGlueFrame(encodeGlueFrame(VERSION_ID, large, 'zlib'));
    // then
    expect(decoded.datum.equals(large)).toBe(true);
  });

  it('rejects a well-formed frame whose schema version the registry does not know, naming the UUID', async () => {
    // given
    const { codec } = await createSchemaEnvironment();
    const unknown = encodeGlueFrame(VERSION_ID, DATUM);
    // when
    const decoding = codec.decode(unknown);
    // then
    await expect(decoding).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_VERSION', message: expect.stringContaining(VERSION_ID) });
  });
});
