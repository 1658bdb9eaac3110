import type { ReadModelDeclaration } from '../../readmodel/ReadModelDeclaration';
import { READ_MODEL_SEARCH_DEFAULTS } from '../../readmodel/ReadModelSearch';
import type { JsonSchema, OpenApiOperation } from './OpenApiDocument';
import { AUTHENTICATED } from './operationSecurity';
import { problemResponses } from './problemResponses';
import { pascalCase } from './openApiNames';

/**
 * `GET /api/queries/{resourceType}/search?q=` of a read model with full-text fields (see
 * readModelSearchRoute.ts): ranked search over them, best first, each hit the document with its
 * score and highlights; bounds from the search port's defaults.
 */
export function readModelSearchOperation(declaration: ReadModelDeclaration, document: JsonSchema, tags: string[]): OpenApiOperation {
  const { maxTextLength, maxTerms, maxLimit, limit, maxOffset } = READ_MODEL_SEARCH_DEFAULTS;
  const fields = Object.entries(declaration.fields)
    .filter(([, field]) => field.fullText === true)
    .map(([name]) => name);
  const hit: JsonSchema = {
    allOf: [
      document,
      {
        type: 'object',
        properties: {
          score: { type: 'number', description: 'Higher is better; the scale depends on the engine.' },
          highlights: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'Per matched field, fragments with each matched term in <mark>…</mark>.' },
        },
        required: ['score', 'highlights'],
      },
    ],
  };
  return {
    operationId: `search${pascalCase(declaration.resourceType)}`,
    summary: `Search ${declaration.resourceType}`,
    description: `Ranked full-text search over ${fields.join(', ')}, best match first, at most ${maxOffset} hits deep. Authorized as the list: a grant on own documents searches the caller's own.`,
    tags,
    parameters: [
      { name: 'q', in: 'query', required: true, description: `Up to ${maxTerms} words, each of which must match; a word ending in \`*\` matches as a prefix. Other characters only separate words.`, schema: { type: 'string', minLength: 1, maxLength: maxTextLength } },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: maxLimit, default: limit } },
      { name: 'cursor', in: 'query', description: '`nextCursor` of the previous page of the same search (opaque).', schema: { type: 'string', minLength: 1 } },
    ],
    responses: {
      '200': {
        description: 'The best matches.',
        content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: hit }, nextCursor: { type: 'string', description: 'Absent on the last page.' } }, required: ['items'] } } },
      },
      ...problemResponses([400, 401, 403, 404, 429, 503]),
    },
    security: AUTHENTICATED,
  };
}
