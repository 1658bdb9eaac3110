import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';

/** `application/json` or a `+json` suffix type, optionally with parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * Reads a request body as JSON, refusing before parsing: a missing or non-JSON content type
 * (`UNSUPPORTED_MEDIA_TYPE`), a declared or actual size over `maxBytes` (`PAYLOAD_TOO_LARGE`,
 * reading stops at the first byte too many), and bytes that are not UTF-8 JSON
 * (`MALFORMED_JSON`).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  checkContentType(request.headers.get('content-type'));
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const bytes = declared !== null ? await readDeclared(request, maxBytes) : await readAtMost(request, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, 'the request body is not valid UTF-8', {}, cause);
  }
  if (text.trim() === '') throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new HttpRequestError(HTTP_ERRORS.MALFORMED_JSON, `the request body is not valid JSON: ${reason}`, {}, cause);
  }
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

// With a Content-Length at most maxBytes, the HTTP layer frames the body to that length (Node's
// parser; API Gateway buffers it), so one arrayBuffer() read is safe, and much cheaper than a web
// stream reader per request. The size is checked again in case a runtime did not frame it.
async function readDeclared(request: Request, maxBytes: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
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

function tooLarge(maxBytes: number): HttpRequestError {
  return new HttpRequestError(HTTP_ERRORS.PAYLOAD_TOO_LARGE, `the request body is larger than ${maxBytes} bytes`, { maxBytes });
}
