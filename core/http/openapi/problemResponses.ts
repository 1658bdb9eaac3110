import { PROBLEM_CONTENT_TYPE } from '../problemDetails';
import type { JsonSchema, OpenApiResponse } from './OpenApiDocument';

/** The RFC 9457 problem document every error response carries, with Nexus's members (see problemDetails.ts). */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem document.',
  properties: {
    type: { type: 'string', description: 'A URI naming the problem type.' },
    title: { type: 'string', description: 'The problem type, in words.' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status.' },
    detail: { type: 'string', description: 'What went wrong with this request, in words.' },
    code: { type: 'string', description: 'A stable machine-readable code, e.g. INVALID_QUERY_PARAMETER.' },
    field: { type: 'string', description: 'The parameter, header or body path at fault, when there is one.' },
    correlationId: { type: 'string', description: 'The request id (also in x-correlation-id), for support.' },
    instance: { type: 'string', description: 'The request path.' },
  },
  required: ['type', 'title', 'status', 'detail', 'code', 'correlationId', 'instance'],
  additionalProperties: true,
};

/** Statuses an operation may answer with a problem, and what each means there. */
export const PROBLEM_STATUSES = {
  400: 'Invalid parameter, header or body (the problem names the `field`).',
  401: 'No valid bearer token.',
  403: 'The policy does not grant this (the problem names the missing `permission`).',
  404: 'Not found.',
  405: 'The path does not serve this method (see `Allow`).',
  408: 'The body did not arrive in time.',
  409: 'Concurrency conflict or idempotency key in use.',
  413: 'Body too large.',
  415: 'Unsupported media type or content encoding.',
  422: 'Invalid command (the problem names the `field`) or a business rule refused it.',
  429: 'Rate limited (see `Retry-After`).',
  503: 'A store is unavailable (see `Retry-After`).',
  504: 'The query took too long.',
} as const;

/** A status of {@link PROBLEM_STATUSES}. */
export type ProblemStatus = keyof typeof PROBLEM_STATUSES;

/** The shared responses (`components.responses`): one per problem status, plus `Problem` for any other. */
export function problemResponseComponents(): Record<string, OpenApiResponse> {
  const components: Record<string, OpenApiResponse> = { Problem: problemResponse('An error.') };
  for (const [status, description] of Object.entries(PROBLEM_STATUSES)) components[`Problem${status}`] = problemResponse(description);
  return components;
}

/** An operation's error responses: `$ref`s to the shared ones, and `default` for the rest (500, ...). */
export function problemResponses(statuses: readonly ProblemStatus[]): Record<string, OpenApiResponse> {
  const responses: Record<string, OpenApiResponse> = {};
  for (const status of statuses) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  responses.default = { $ref: '#/components/responses/Problem' };
  return responses;
}

function problemResponse(description: string): OpenApiResponse {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };
}
