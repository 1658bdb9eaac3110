import type { JsonSchema, OpenApiPaths } from './OpenApiDocument';
import { AUTHENTICATED, PUBLIC } from './operationSecurity';
import { problemResponses } from './problemResponses';
import { SAGA_STATUS_PATHS } from '../sagaRouteOperation';

/** Who may read `/openapi.json` and `/docs`; see `ApiOptions.apiDocs`. */
export type ApiDocsAccess = 'public' | 'authenticated' | 'off';

/** What the routes every app serves, whatever is declared, depend on. */
export interface FixedRoutesDescription {
  /** The `{aggregateType}` segments temporal queries serve (e.g. `orders`). */
  temporalAggregateTypes: readonly string[];
  /** Widest `since`..`asOf` range, in days. */
  maxTemporalRangeDays: number;
  apiDocs: ApiDocsAccess;
}

const TEMPORAL_STATE: JsonSchema = {
  type: 'object',
  properties: {
    aggregateId: { type: 'string' },
    asOf: { type: 'string', format: 'date-time' },
    version: { type: 'integer', minimum: 0, description: 'The version as of `asOf`; in a partial answer, the last version folded.' },
    state: { description: "The aggregate's state, folded from its events." },
    changes: {
      type: 'array',
      description: 'The changes in [since, asOf] (with `since`).',
      items: { type: 'object', properties: { version: { type: 'integer' }, eventType: { type: 'string' }, occurredAt: { type: 'string', format: 'date-time' }, data: { type: 'object' } } },
    },
    complete: { type: 'boolean', description: 'False when the per-request event cap stopped the replay: ask again with `continuation`.' },
    continuation: { type: 'string', description: 'Present when `complete` is false.' },
  },
  required: ['aggregateId', 'asOf', 'version', 'state'],
};

/**
 * The routes of the framework itself: temporal queries, `GET /health`, and (unless `apiDocs` is
 * `off`) `GET /openapi.json`, `GET /docs` and the page's assets `GET /docs/{asset}`.
 */
export function fixedPaths(description: FixedRoutesDescription): OpenApiPaths {
  const html = { 'text/html': { schema: { type: 'string' } } } as const;
  const docsSecurity = description.apiDocs === 'public' ? PUBLIC : AUTHENTICATED;
  const docsProblems = problemResponses(description.apiDocs === 'public' ? [] : [401, 429]);
  const docs: OpenApiPaths =
    description.apiDocs === 'off'
      ? {}
      : {
          '/openapi.json': {
            get: { operationId: 'openApiDocument', summary: 'This OpenAPI document', tags: ['Reference'], responses: { '200': { description: 'The OpenAPI 3.1 document, generated from the declarations.', content: { 'application/json': { schema: { type: 'object' } } } }, ...docsProblems }, security: docsSecurity },
          },
          '/docs': {
            get: { operationId: 'apiReferencePage', summary: 'This reference page', tags: ['Reference'], responses: { '200': { description: 'The API reference, rendered from /openapi.json.', content: html }, ...docsProblems }, security: docsSecurity },
          },
          '/docs/{asset}': {
            get: {
              operationId: 'apiReferenceAsset',
              summary: 'A file of the reference page',
              tags: ['Reference'],
              parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
              responses: { '200': { description: 'The script or style sheet.' }, ...problemResponses([404]), ...docsProblems },
              security: docsSecurity,
            },
          },
        };
  return {
    '/api/queries/temporal/{aggregateType}/{id}': {
      get: {
        operationId: 'temporalState',
        summary: "An aggregate's state as of a time",
        description: `Replays the aggregate's events up to \`asOf\`. A long history is answered in parts: follow \`continuation\` until \`complete\`. \`since\` (at most ${description.maxTemporalRangeDays} days before \`asOf\`) also lists the changes in between.`,
        tags: ['Temporal queries'],
        parameters: [
          { name: 'aggregateType', in: 'path', required: true, schema: { type: 'string', enum: [...description.temporalAggregateTypes] } },
          { name: 'id', in: 'path', required: true, description: 'The aggregate id.', schema: { type: 'string', minLength: 1 } },
          { name: 'asOf', in: 'query', required: true, description: 'ISO-8601 time with a time zone.', schema: { type: 'string', format: 'date-time' } },
          { name: 'since', in: 'query', required: false, description: 'ISO-8601 time, not after `asOf`.', schema: { type: 'string', format: 'date-time' } },
          { name: 'continuation', in: 'query', required: false, description: 'The token of a partial answer to the same query.', schema: { type: 'string', minLength: 1 } },
        ],
        responses: { '200': { description: 'The state as of `asOf`.', content: { 'application/json': { schema: TEMPORAL_STATE } } }, ...problemResponses([400, 401, 403, 404, 429, 503, 504]) },
        security: AUTHENTICATED,
      },
    },
    ...SAGA_STATUS_PATHS,
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Liveness and store checks',
        tags: ['Operations'],
        responses: { '200': { description: 'Healthy.', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } } } }, ...problemResponses([503]) },
        security: PUBLIC,
      },
    },
    ...docs,
  };
}
