import { findIllFormedText } from '../text/wellFormedText';
import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';

/** `application/json` or a `+json` suffix type, optionally with parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/** A `\uD800`-`\uDFFF` escape: the only way a JSON text can carry a UTF-16 surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const MAX_ECHOED_PATH = 256;

/** Tunables of {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  /**
   * Longest the whole body may take to arrive, from the first read: a body shorter than its
   * Content-Length, or a slow one, is refused with `REQUEST_TIMEOUT` instead of holding the
   * request open until the server's own timeout. @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Deepest nesting of arrays and objects accepted. Commands need a few levels; without a bound,
   * `[[[[…]]]]` within the size limit parses, then overflows the stack of any recursive walk
   * downstream (JSON.stringify fails from about 5,000 levels). @defaultValue 64
   */
  maxDepth?: number;
}

/** Defaults of {@link ReadJsonBodyOptions}. */
export const READ_JSON_BODY_DEFAULTS: Required<ReadJsonBodyOptions> = {
  timeoutMs: 10_000,
  maxDepth: 64,
};

/**
 * Reads a request body as JSON, refusing before parsing: a missing or non-JSON content type
 * (`UNSUPPORTED_MEDIA_TYPE`), a `Content-Encoding` other than identity
 * (`UNSUPPORTED_CONTENT_ENCODING`), a declared or actual size over `maxBytes`
 * (`PAYLOAD_TOO_LARGE`, reading stops at the first byte too many), a body that does not arrive
 * within `timeoutMs` (`REQUEST_TIMEOUT`) or that the client abandons (`REQUEST_ABORTED`), bytes
 * that are not UTF-8 JSON (`MALFORMED_JSON`); and after parsing, nesting deeper than `maxDepth`
 * (`JSON_TOO_DEEP`), a string or key holding a lone
 * UTF-16 surrogate (`ILL_FORMED_TEXT`, `field` naming its path such as `items[0].sku`). What it
 * returns is any JSON value, with well-formed text only.
 */
export async function readJsonBody(request: Request, maxBytes: number, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const { timeoutMs, maxDepth } = { ...READ_JSON_BODY_DEFAULTS, ...options };
  checkContentType(request.headers.get('content-type'));
  checkContentEncoding(request.headers.get('content-encoding'));
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const bytes = await withDeadline(timeoutMs, declared !== null ? readDeclared(request, maxBytes) : readAtMost(request, maxBytes));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, 'the request body is not valid UTF-8', {}, cause);
  }
  if (text.trim() === '') throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, 'the request body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, `the request body is not valid JSON: ${reason}`, {}, cause);
  }
  // A body with no more brackets than maxDepth cannot nest deeper: most bodies skip the walk.
  if (countOpenings(text) > maxDepth && nestingExceeds(value, maxDepth)) {
    throw new HttpRequestError(HTTP_ERRORS.JSON_TOO_DEEP, `the request body nests arrays and objects more than ${maxDepth} levels deep`, { maxDepth });
  }
  // Valid UTF-8 cannot encode a surrogate, so only an escape can bring one in: most bodies skip the walk.
  const illFormed = SURROGATE_ESCAPE.test(text) ? findIllFormedText(value) : undefined;
  if (illFormed !== undefined) {
    const where = illFormed === '' ? 'the request body' : shortened(illFormed);
    throw new HttpRequestError(HTTP_ERRORS.ILL_FORMED_TEXT, `${where} holds a lone UTF-16 surrogate; send well-formed Unicode text`, {
      ...(illFormed === '' ? {} : { field: where }),
    });
  }
  return value;
}

function checkContentType(header: string | null): void {
  const [mediaType = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim());
  const charset = parameters.find((p) => p.toLowerCase().startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (!JSON_MEDIA_TYPE.test(mediaType) || (charset !== undefined && charset.toLowerCase() !== 'utf-8')) {
    throw new HttpRequestError(
      HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE,
      header === null ? 'the content-type header is missing; send application/json' : `content-type "${header}" is not supported; send application/json`,
      { field: 'content-type' },
    );
  }
}

// Decoding gzip or br here would let a small body inflate past maxBytes; nobody needs it for
// command bodies, so say so instead of reading compressed bytes as JSON.
function checkContentEncoding(header: string | null): void {
  if (header === null) return;
  const codings = header.split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding !== '');
  if (codings.every((coding) => coding === 'identity')) return;
  throw new HttpRequestError(HTTP_ERRORS.UNSUPPORTED_CONTENT_ENCODING, `content-encoding "${header}" is not supported; send the body uncompressed (identity)`, {
    field: 'content-encoding',
  });
}

/** A body being read, and how to stop reading it when the deadline passes (nothing to stop: a single read). */
interface BodyRead {
  bytes: Promise<Uint8Array>;
  abandon?: () => void;
}

/**
 * Awaits a body read under a deadline. Past it, the read is abandoned (its late outcome is
 * ignored) and `REQUEST_TIMEOUT` is thrown; a read that fails for any other reason is the client
 * giving up (`REQUEST_ABORTED`), since the bytes come from nowhere else.
 */
async function withDeadline(timeoutMs: number, read: BodyRead): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      read.abandon?.();
      reject(new HttpRequestError(HTTP_ERRORS.REQUEST_TIMEOUT, `the request body did not arrive within ${timeoutMs} ms`, { timeoutMs }));
    }, timeoutMs);
  });
  const reading = read.bytes.catch((cause: unknown) => {
    if (cause instanceof HttpRequestError) throw cause;
    throw new HttpRequestError(HTTP_ERRORS.REQUEST_ABORTED, 'the request body ended before it was complete', {}, cause);
  });
  // The losing side of the race must not surface as an unhandled rejection.
  reading.catch(() => undefined);
  try {
    return await Promise.race([reading, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// With a Content-Length at most maxBytes, the HTTP layer frames the body to that length (Node's
// parser; API Gateway buffers it), so one arrayBuffer() read is safe, and much cheaper than a web
// stream reader per request. The size is checked again in case a runtime did not frame it.
function readDeclared(request: Request, maxBytes: number): BodyRead {
  const bytes = request.arrayBuffer().then((buffer) => {
    if (buffer.byteLength > maxBytes) throw tooLarge(maxBytes);
    return new Uint8Array(buffer);
  });
  return { bytes };
}

function readAtMost(request: Request, maxBytes: number): BodyRead {
  if (request.body === null) return { bytes: Promise.resolve(new Uint8Array(0)) };
  const reader = request.body.getReader();
  return { bytes: readChunks(reader, maxBytes), abandon: () => void reader.cancel().catch(() => undefined) };
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > maxBytes) {
      // Content-Length may be absent (chunked) or lie; stop reading what we will not use.
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Opening brackets anywhere in the text (strings included): an upper bound of the nesting depth. */
function countOpenings(text: string): number {
  let openings = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x5b || code === 0x7b) openings += 1;
  }
  return openings;
}

/** True when arrays and objects nest deeper than `maxDepth`; iterative, as the value may be deep. */
function nestingExceeds(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const member of Array.isArray(current) ? current : Object.values(current)) pending.push([member, depth + 1]);
  }
  return false;
}

/** A path short enough to echo: deep nesting could make it as long as the body. */
function shortened(path: string): string {
  return path.length <= MAX_ECHOED_PATH ? path : `${path.slice(0, MAX_ECHOED_PATH - 1)}…`;
}

function tooLarge(maxBytes: number): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.PAYLOAD_TOO_LARGE, `the request body is larger than ${maxBytes} bytes`, { maxBytes });
}
