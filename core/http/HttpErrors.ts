import { NexusError } from '../errors/NexusError';

/** Error codes owned by the HTTP layer (requests refused before any command or query runs). */
export const HTTP_ERRORS = {
  /** The body is not UTF-8 JSON (400). */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** The body nests arrays and objects deeper than the reader accepts (400); details: maxDepth. */
  JSON_TOO_DEEP: 'JSON_TOO_DEEP',
  /** A string or key of the body holds a lone UTF-16 surrogate (422); details: field (its path). */
  ILL_FORMED_TEXT: 'ILL_FORMED_TEXT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A `Content-Encoding` other than identity (415); details: field `content-encoding`. */
  UNSUPPORTED_CONTENT_ENCODING: 'UNSUPPORTED_CONTENT_ENCODING',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The body did not arrive within the body timeout (408); details: timeoutMs. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The client stopped sending before the body was complete (400; nobody is left to read it). */
  REQUEST_ABORTED: 'REQUEST_ABORTED',
  /** The request line or headers are not HTTP (400), as Node's parser reports them. */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** The request headers exceed the server's limit (431). */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  INVALID_QUERY_PARAMETER: 'INVALID_QUERY_PARAMETER',
  /** A list query parameter that is neither a declared field nor sort/order/limit/cursor (400); details: field. */
  UNKNOWN_QUERY_PARAMETER: 'UNKNOWN_QUERY_PARAMETER',
  /** A filter on a declared field that cannot be filtered (400); details: field, filterable. */
  FIELD_NOT_FILTERABLE: 'FIELD_NOT_FILTERABLE',
  /** `field[op]` with an operator the field does not take (400); details: field, operators (allowed). */
  UNSUPPORTED_FILTER_OPERATOR: 'UNSUPPORTED_FILTER_OPERATOR',
  /** A list cursor that is not of the form this API issues, e.g. cut short (400); details: field `cursor`. */
  CURSOR_MALFORMED: 'CURSOR_MALFORMED',
  /** A list cursor altered after it was issued (400); details: field `cursor`. */
  CURSOR_TAMPERED: 'CURSOR_TAMPERED',
  /** A list cursor of another query (filters, sort, order, caller) (400); details: field `cursor`. */
  CURSOR_QUERY_MISMATCH: 'CURSOR_QUERY_MISMATCH',
  /** A path segment that is not valid percent-encoded UTF-8 (400); details: field (the parameter). */
  INVALID_PATH_PARAMETER: 'INVALID_PATH_PARAMETER',
  INVALID_HEADER: 'INVALID_HEADER',
  NOT_FOUND: 'NOT_FOUND',
  /** `/api/queries/{resourceType}` names no declared read model (404); details: field `resourceType`. */
  UNKNOWN_RESOURCE_TYPE: 'UNKNOWN_RESOURCE_TYPE',
  /** A known path asked with a method it does not serve (405); details: allow. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  INTERNAL: 'INTERNAL',
} as const;

export type HttpErrorCode = (typeof HTTP_ERRORS)[keyof typeof HTTP_ERRORS];

/**
 * A request the HTTP layer refuses itself. `field` names the header, query parameter or body
 * part at fault; `problemDetails` turns it into a response like every other error.
 */
export class HttpRequestError extends NexusError {
  constructor(code: HttpErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { details, cause });
  }
}
