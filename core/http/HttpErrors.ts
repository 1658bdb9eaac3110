import { NexusError } from '../errors/NexusError';

/** Error codes owned by the HTTP layer (requests refused before any command or query runs). */
export const HTTP_ERRORS = {
  MALFORMED_JSON: 'MALFORMED_JSON',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INVALID_QUERY_PARAMETER: 'INVALID_QUERY_PARAMETER',
  INVALID_HEADER: 'INVALID_HEADER',
  NOT_FOUND: 'NOT_FOUND',
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
