import { deflateSync, inflateSync } from 'node:zlib';
import { NexusError } from '../errors/NexusError';

/** Header version byte of the AWS Glue Schema Registry wire format. */
export const GLUE_HEADER_VERSION = 3;
/** Compression byte: none. */
export const GLUE_COMPRESSION_NONE = 0;
/** Compression byte: zlib (`zlib.deflate`, with the zlib header; not gzip, not raw deflate). */
export const GLUE_COMPRESSION_ZLIB = 5;
/** Header (2 bytes) + schema version UUID (16 bytes). */
export const GLUE_HEADER_LENGTH = 18;

export const MALFORMED_FRAME = 'MALFORMED_FRAME';

/** Which rule a frame broke. */
export type MalformedFrameReason = 'TOO_SHORT' | 'BAD_HEADER_VERSION' | 'BAD_COMPRESSION' | 'BAD_ZLIB_DATA' | 'TRAILING_ZLIB_BYTES';

/** A byte sequence that is not a valid Glue wire frame. `reason` says which rule it broke. */
export class MalformedFrameError extends NexusError {
  readonly reason: MalformedFrameReason;
  constructor(reason: MalformedFrameReason, message: string, cause?: unknown) {
    super(MALFORMED_FRAME, message, { cause, details: { reason } });
    this.reason = reason;
  }
}

export type GlueCompression = 'none' | 'zlib';

/** A decoded frame: the writer's schema version id and the (decompressed) Avro datum. */
export interface GlueFrame {
  schemaVersionId: string;
  compression: GlueCompression;
  datum: Buffer;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 string -> 16 bytes in network (big-endian) order, as Glue writes them. */
export function uuidToBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) throw new NexusError('INVALID_UUID', `not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** 16 bytes -> lower-case RFC 4122 string. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// A service writes with a handful of schema versions: remember their 16 bytes instead of
// validating and hex-parsing the same UUID on every encode. Bounded, so odd callers cannot grow it.
const idBytes = new Map<string, Buffer>();
const ID_BYTES_MAX = 1_024;

function schemaVersionIdBytes(schemaVersionId: string): Buffer {
  let bytes = idBytes.get(schemaVersionId);
  if (bytes === undefined) {
    bytes = uuidToBytes(schemaVersionId);
    if (idBytes.size >= ID_BYTES_MAX) idBytes.clear();
    idBytes.set(schemaVersionId, bytes);
  }
  return bytes;
}

/**
 * Frames an Avro datum: `[3, compression, uuid(16), datum]`.
 *
 * @example encodeGlueFrame(versionId, type.toBuffer(value), 'zlib')
 */
export function encodeGlueFrame(schemaVersionId: string, datum: Uint8Array, compression: GlueCompression = 'none'): Buffer {
  const body = compression === 'zlib' ? deflateSync(datum) : datum;
  const frame = Buffer.allocUnsafe(GLUE_HEADER_LENGTH + body.byteLength);
  frame[0] = GLUE_HEADER_VERSION;
  frame[1] = compression === 'zlib' ? GLUE_COMPRESSION_ZLIB : GLUE_COMPRESSION_NONE;
  schemaVersionIdBytes(schemaVersionId).copy(frame, 2);
  frame.set(body, GLUE_HEADER_LENGTH);
  return frame;
}

/**
 * Parses a Glue wire frame. Throws {@link MalformedFrameError} when the frame is shorter than
 * 18 bytes, has another header version, an unknown compression byte, zlib data that does not
 * inflate, or bytes after the end of the zlib stream. Whether the UUID is registered is the
 * registry's question, not the frame's.
 */
export function decodeGlueFrame(bytes: Uint8Array): GlueFrame {
  if (bytes.byteLength < GLUE_HEADER_LENGTH) {
    throw new MalformedFrameError('TOO_SHORT', `Glue frame is ${bytes.byteLength} bytes; at least ${GLUE_HEADER_LENGTH} are needed`);
  }
  if (bytes[0] !== GLUE_HEADER_VERSION) {
    throw new MalformedFrameError('BAD_HEADER_VERSION', `Glue frame header version is ${bytes[0]}; expected ${GLUE_HEADER_VERSION}`);
  }
  const compressionByte = bytes[1];
  if (compressionByte !== GLUE_COMPRESSION_NONE && compressionByte !== GLUE_COMPRESSION_ZLIB) {
    throw new MalformedFrameError('BAD_COMPRESSION', `Glue frame compression byte is ${compressionByte}; expected 0 (none) or 5 (zlib)`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const schemaVersionId = bytesToUuid(buffer.subarray(2, GLUE_HEADER_LENGTH));
  const body = buffer.subarray(GLUE_HEADER_LENGTH);
  if (compressionByte === GLUE_COMPRESSION_NONE) return { schemaVersionId, compression: 'none', datum: body };
  return { schemaVersionId, compression: 'zlib', datum: inflateWhole(body) };
}

/**
 * Inflates `body`, which must be exactly one zlib stream. Node's inflate stops at the end of the
 * stream and silently drops what follows; a plain frame with bytes after its datum is refused
 * (the Avro decoder finds them), so a zlib frame must not be laxer: its consumed byte count has
 * to cover the whole body.
 */
function inflateWhole(body: Buffer): Buffer {
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    inflated = inflateSync(body, { info: true }) as unknown as typeof inflated;
  } catch (cause) {
    throw new MalformedFrameError('BAD_ZLIB_DATA', 'Glue frame says zlib but its body does not inflate', cause);
  }
  const consumed = inflated.engine.bytesWritten;
  if (consumed !== body.byteLength) {
    throw new MalformedFrameError(
      'TRAILING_ZLIB_BYTES',
      `Glue frame has ${body.byteLength - consumed} byte(s) after the end of its zlib stream (${consumed} of ${body.byteLength} bytes inflated)`,
    );
  }
  return inflated.buffer;
}
