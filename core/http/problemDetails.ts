import { errorCodeOf } from '../errors/NexusError';
import { DOMAIN_RULE_VIOLATION, ruleViolationKindOf } from '../command/DomainRuleViolation';
import type { RuleViolationKind } from '../command/DomainRuleViolation';
import { COMMAND_ERRORS } from '../command/CommandErrors';
import { EVENT_STORE_ERRORS } from '../events/EventStore';
import { EVENT_CODEC_ERRORS } from '../schema/EventCodec';
import { READ_MODEL_ERRORS } from '../readmodel/ReadModelStore';
import { AUTH_ERRORS } from '../auth/AuthErrors';
import { IDEMPOTENCY_ERRORS } from '../idempotency/IdempotencyStore';
import { RATE_LIMIT_STORE_ERRORS } from '../auth/RateLimitStore';
import { SCHEMA_REGISTRY_ERRORS } from '../schema/SchemaRegistry';
import { HTTP_ERRORS } from './HttpErrors';

/** An RFC 9457 problem document, with Nexus's `code`, `field` and `correlationId` members. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  correlationId: string;
  instance: string;
  [context: string]: unknown;
}

/** The media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

interface Mapping {
  status: number;
  title: string;
  /** The field to name when the error carries none. */
  field?: string;
}

const INTERNAL: Mapping = { status: 500, title: 'Internal server error' };

/** Error code -> HTTP status and title: the one place where errors meet status codes. */
const MAPPINGS: Readonly<Record<string, Mapping>> = {
  [HTTP_ERRORS.MALFORMED_JSON]: { status: 400, title: 'Malformed JSON body' },
  [HTTP_ERRORS.JSON_TOO_DEEP]: { status: 400, title: 'JSON body nested too deeply' },
  [HTTP_ERRORS.INVALID_QUERY_PARAMETER]: { status: 400, title: 'Invalid query parameter' },
  [HTTP_ERRORS.UNKNOWN_QUERY_PARAMETER]: { status: 400, title: 'Unknown query parameter' },
  [HTTP_ERRORS.FIELD_NOT_FILTERABLE]: { status: 400, title: 'Field cannot be filtered' },
  [HTTP_ERRORS.UNSUPPORTED_FILTER_OPERATOR]: { status: 400, title: 'Unsupported filter operator' },
  [HTTP_ERRORS.CURSOR_MALFORMED]: { status: 400, title: 'Malformed cursor', field: 'cursor' },
  [HTTP_ERRORS.CURSOR_TAMPERED]: { status: 400, title: 'Tampered cursor', field: 'cursor' },
  [HTTP_ERRORS.CURSOR_QUERY_MISMATCH]: { status: 400, title: 'Cursor of another query', field: 'cursor' },
  [HTTP_ERRORS.INVALID_PATH_PARAMETER]: { status: 400, title: 'Invalid path parameter' },
  [HTTP_ERRORS.INVALID_HEADER]: { status: 400, title: 'Invalid header' },
  [HTTP_ERRORS.REQUEST_ABORTED]: { status: 400, title: 'Request body incomplete' },
  [HTTP_ERRORS.MALFORMED_REQUEST]: { status: 400, title: 'Malformed request' },
  [READ_MODEL_ERRORS.INVALID_QUERY]: { status: 400, title: 'Invalid query' },
  [AUTH_ERRORS.UNAUTHENTICATED]: { status: 401, title: 'Authentication required' },
  [AUTH_ERRORS.PERMISSION_DENIED]: { status: 403, title: 'Permission denied' },
  [HTTP_ERRORS.NOT_FOUND]: { status: 404, title: 'Not found' },
  [HTTP_ERRORS.UNKNOWN_RESOURCE_TYPE]: { status: 404, title: 'Unknown resource type', field: 'resourceType' },
  [HTTP_ERRORS.METHOD_NOT_ALLOWED]: { status: 405, title: 'Method not allowed' },
  [HTTP_ERRORS.REQUEST_TIMEOUT]: { status: 408, title: 'Request timeout' },
  [COMMAND_ERRORS.UNKNOWN_COMMAND]: { status: 404, title: 'Unknown command', field: 'commandType' },
  [EVENT_STORE_ERRORS.CONCURRENCY_CONFLICT]: { status: 409, title: 'Concurrency conflict' },
  [IDEMPOTENCY_ERRORS.KEY_IN_USE]: { status: 409, title: 'Idempotency key in use' },
  [IDEMPOTENCY_ERRORS.CLAIM_LOST]: { status: 409, title: 'Idempotency key taken over' },
  [IDEMPOTENCY_ERRORS.KEY_REUSED]: { status: 422, title: 'Idempotency key reused' },
  [HTTP_ERRORS.PAYLOAD_TOO_LARGE]: { status: 413, title: 'Payload too large' },
  [HTTP_ERRORS.UNSUPPORTED_MEDIA_TYPE]: { status: 415, title: 'Unsupported media type' },
  [HTTP_ERRORS.UNSUPPORTED_CONTENT_ENCODING]: { status: 415, title: 'Unsupported content encoding', field: 'content-encoding' },
  [AUTH_ERRORS.RATE_LIMITED]: { status: 429, title: 'Too many requests' },
  [HTTP_ERRORS.HEADERS_TOO_LARGE]: { status: 431, title: 'Request header fields too large' },
  [COMMAND_ERRORS.INVALID_COMMAND]: { status: 422, title: 'Invalid command' },
  [HTTP_ERRORS.ILL_FORMED_TEXT]: { status: 422, title: 'Text is not well-formed Unicode' },
  [EVENT_CODEC_ERRORS.UNREGISTERED_EVENT]: { status: 422, title: 'Unregistered event' },
  [EVENT_CODEC_ERRORS.INVALID_EVENT_PAYLOAD]: { status: 422, title: 'Invalid event payload' },
  [EVENT_STORE_ERRORS.STORE_UNAVAILABLE]: { status: 503, title: 'Event store unavailable' },
  [READ_MODEL_ERRORS.STORE_UNAVAILABLE]: { status: 503, title: 'Read model store unavailable' },
  [IDEMPOTENCY_ERRORS.STORE_UNAVAILABLE]: { status: 503, title: 'Idempotency store unavailable' },
  [RATE_LIMIT_STORE_ERRORS.STORE_UNAVAILABLE]: { status: 503, title: 'Rate-limit store unavailable' },
  [SCHEMA_REGISTRY_ERRORS.REGISTRY_UNAVAILABLE]: { status: 503, title: 'Schema registry unavailable' },
  // A command whose decision holds more events than one atomic append can (DynamoDB: 100 items).
  [EVENT_STORE_ERRORS.APPEND_TOO_LARGE]: { status: 422, title: 'Command produces too many events' },
  [HTTP_ERRORS.SERVICE_UNAVAILABLE]: { status: 503, title: 'Service unavailable' },
  [HTTP_ERRORS.QUERY_TIMEOUT]: { status: 504, title: 'Query timed out' },
  [HTTP_ERRORS.INTERNAL]: INTERNAL,
};

/** A domain rule violation's kind -> its status: the rule declares its kind where it is raised. */
const RULE_VIOLATION_MAPPINGS: Readonly<Record<RuleViolationKind, Mapping>> = {
  conflict: { status: 409, title: 'Business rule violated' },
  'not-found': { status: 404, title: 'Not found' },
  invalid: { status: 422, title: 'Business rule violated' },
};

/** Fixed details of 5xx answers, which never echo an error message. */
const DETAILS_5XX: Readonly<Record<number, string>> = {
  503: 'a backing store is unavailable; retry later',
  504: 'the query took longer than allowed; narrow it and retry',
};

/** Members of the problem document that error details may not overwrite. */
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'field', 'correlationId', 'instance', 'rule']);

/** Where a problem happened. */
export interface ProblemContext {
  correlationId: string;
  /** The request path. */
  instance: string;
}

/**
 * Maps any thrown value to a problem document. Known codes keep their message and details
 * (primitives only); a domain rule violation's `code` is the rule (`ORDER_ALREADY_CANCELLED`) and
 * its status follows its kind (conflict 409, not-found 404, invalid 422);
 * a concurrency conflict reports `expectedVersion` and `currentVersion`. Anything unknown
 * becomes a 500 `INTERNAL` without message or stack: the caller logs the error itself.
 */
export function toProblem(error: unknown, context: ProblemContext): ProblemDocument {
  const errorCode = errorCodeOf(error);
  const mapping = mappingOf(errorCode, error);
  if (errorCode === undefined || mapping === undefined || mapping.status >= 500) {
    const known = mapping ?? INTERNAL;
    const code = mapping ? (errorCode as string) : HTTP_ERRORS.INTERNAL;
    const detail = DETAILS_5XX[known.status] ?? 'an unexpected error occurred; quote the correlation id when reporting it';
    return document(code, known, detail, undefined, {}, context);
  }
  const details = detailsOf(error);
  const code = errorCode === DOMAIN_RULE_VIOLATION && typeof details.rule === 'string' ? details.rule : errorCode;
  const field = typeof details.field === 'string' ? details.field : mapping.field;
  return document(code, mapping, messageOf(error), field, contextOf(details), context);
}

function mappingOf(errorCode: string | undefined, error: unknown): Mapping | undefined {
  if (errorCode === DOMAIN_RULE_VIOLATION) return RULE_VIOLATION_MAPPINGS[ruleViolationKindOf(error)];
  return errorCode === undefined ? undefined : MAPPINGS[errorCode];
}

/** The problem document of a code this layer raises itself, e.g. NOT_FOUND for an unknown route. */
export function problemFor(code: string, detail: string, context: ProblemContext, extra: { field?: string } = {}): ProblemDocument {
  return document(code, MAPPINGS[code] ?? INTERNAL, detail, extra.field, {}, context);
}

function document(
  code: string,
  mapping: Mapping,
  detail: string,
  field: string | undefined,
  extra: Record<string, unknown>,
  context: ProblemContext,
): ProblemDocument {
  return {
    type: `urn:nexus:problem:${kebab(code)}`,
    title: mapping.title,
    status: mapping.status,
    detail,
    code,
    ...(field === undefined ? {} : { field }),
    correlationId: context.correlationId,
    instance: context.instance,
    ...extra,
  };
}

function contextOf(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(details)) {
    if (RESERVED.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[name] = value;
  }
  // Stores report the version they found as actualVersion; clients read currentVersion.
  if ('actualVersion' in out) {
    out.currentVersion = out.actualVersion;
    delete out.actualVersion;
  }
  return out;
}

function detailsOf(error: unknown): Record<string, unknown> {
  const details = (error as { details?: unknown }).details;
  return typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function kebab(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}
