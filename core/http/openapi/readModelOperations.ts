import type { ReadModelDeclaration, ReadModelField } from '../../readmodel/ReadModelDeclaration';
import { RANGE_OPERATORS } from '../../readmodel/ReadModelStore';
import { READ_MODEL_LIST_QUERY_DEFAULTS } from '../readModelListQuery';
import type { JsonSchema, OpenApiParameter, OpenApiPaths, OpenApiResponse } from './OpenApiDocument';
import { pascalCase } from './openApiNames';
import { AUTHENTICATED } from './operationSecurity';
import { problemResponses } from './problemResponses';
import { readModelSearchOperation } from './readModelSearchOperation';

/**
 * For every declared read model: `GET /api/queries/{resourceType}` (its filterable fields as
 * query parameters, with their types and `values`; ranges `field[gt|gte|lt|lte]` on ordered
 * fields; `sort` over its sortable fields and aliases; `order`, `limit`, `cursor`),
 * `GET /api/queries/{resourceType}/{id}`, and, when it declares full-text fields,
 * `GET /api/queries/{resourceType}/search?q=`. The document schema is
 * `components.schemas.<DocumentType>`, from the declared fields.
 */
export function readModelPaths(declarations: readonly ReadModelDeclaration[]): OpenApiPaths {
  const paths: OpenApiPaths = {};
  for (const declaration of declarations) {
    const { resourceType } = declaration;
    const tags = [`Queries: ${resourceType}`];
    const document = { $ref: `#/components/schemas/${schemaNameOf(declaration)}` };
    const about = declaration.description === undefined ? '' : ` ${declaration.description}`;
    paths[`/api/queries/${resourceType}`] = {
      get: {
        operationId: `list${pascalCase(resourceType)}`,
        summary: `List ${resourceType}`,
        description: `Filters are equalities, \`field[gt|gte|lt|lte]\` ranges; pages follow \`nextCursor\`.${about}`,
        tags,
        parameters: [...filterParameters(declaration), ...rangeParameters(declaration), ...pagingParameters(declaration), IF_NONE_MATCH],
        responses: { '200': cached('A page.', pageSchema(document)), '304': NOT_MODIFIED, ...problemResponses([400, 401, 403, 429, 503]) },
        security: AUTHENTICATED,
      },
    };
    if (Object.values(declaration.fields).some((field) => field.fullText === true)) {
      paths[`/api/queries/${resourceType}/search`] = { get: readModelSearchOperation(declaration, document, tags) };
    }
    paths[`/api/queries/${resourceType}/{id}`] = {
      get: {
        operationId: `get${pascalCase(declaration.documentType)}`,
        summary: `Get one ${declaration.documentType}`,
        tags,
        parameters: [{ name: 'id', in: 'path', required: true, description: `The ${declaration.documentType} id.`, schema: { type: 'string', minLength: 1 } }, IF_NONE_MATCH],
        responses: { '200': cached(`The ${declaration.documentType}.`, document), '304': NOT_MODIFIED, ...problemResponses([400, 401, 403, 404, 429, 503]) },
        security: AUTHENTICATED,
      },
    };
  }
  return paths;
}

/** `components.schemas` entries: one document schema per declared read model. */
export function readModelSchemas(declarations: readonly ReadModelDeclaration[]): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const declaration of declarations) {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, field] of Object.entries(declaration.fields)) properties[name] = fieldSchema(field);
    properties.version = { type: 'integer', minimum: 1, description: 'The version of the source the document reflects.' };
    schemas[schemaNameOf(declaration)] = {
      type: 'object',
      ...(declaration.description === undefined ? {} : { description: declaration.description }),
      properties,
      required: ['version'],
      // The declaration names the fields queries may use; a document may hold more.
      additionalProperties: true,
    };
  }
  return schemas;
}

/** The equality filters of a read model: one query parameter per filterable field. */
function filterParameters(declaration: ReadModelDeclaration): OpenApiParameter[] {
  return Object.entries(declaration.fields)
    .filter(([, field]) => field.filterable === true)
    .map(([name, field]) => ({ name, in: 'query', required: false, description: field.description ?? `Only documents whose ${name} equals this.`, schema: fieldSchema(field) }));
}

/** The schema of a declared field's values. */
function fieldSchema(field: ReadModelField): JsonSchema {
  const description = field.description === undefined ? {} : { description: field.description };
  switch (field.type) {
    case 'timestamp':
      return { type: 'string', format: 'date-time', ...description };
    case 'string':
      return { type: 'string', ...(field.values === undefined ? {} : { enum: field.values }), ...description };
    default:
      return { type: field.type, ...description };
  }
}

const IF_NONE_MATCH: OpenApiParameter = { name: 'If-None-Match', in: 'header', required: false, description: 'The `ETag` of an earlier answer: 304 when unchanged.', schema: { type: 'string' } };
const NOT_MODIFIED: OpenApiResponse = { description: 'Unchanged since the given `ETag`.' };
const RANGED_TYPES: ReadonlySet<ReadModelField['type']> = new Set(['number', 'integer', 'timestamp']);

function cached(description: string, schema: JsonSchema): OpenApiResponse {
  return {
    description,
    headers: { ETag: { description: 'A strong entity tag of the body.', schema: { type: 'string' } }, 'Cache-Control': { description: 'private, no-cache', schema: { type: 'string' } } },
    content: { 'application/json': { schema } },
  };
}

/** `field[gt|gte|lt|lte]` for each filterable or sortable field of an ordered type. */
function rangeParameters(declaration: ReadModelDeclaration): OpenApiParameter[] {
  return Object.entries(declaration.fields)
    .filter(([, field]) => (field.filterable === true || field.sortable === true) && RANGED_TYPES.has(field.type))
    .flatMap(([name, field]) => RANGE_OPERATORS.map((operator): OpenApiParameter => ({ name: `${name}[${operator}]`, in: 'query', required: false, description: `Only documents whose ${name} is ${operator} this.`, schema: fieldSchema(field) })));
}

function pagingParameters(declaration: ReadModelDeclaration): OpenApiParameter[] {
  const { limit, maxLimit, maxCursorLength } = READ_MODEL_LIST_QUERY_DEFAULTS;
  const sortable = Object.entries(declaration.fields)
    .filter(([, field]) => field.sortable === true)
    .map(([name]) => name);
  const sort = declaration.defaultSort ?? { field: 'id', direction: 'asc' };
  return [
    { name: 'sort', in: 'query', schema: { type: 'string', enum: [...new Set(['id', ...sortable, ...Object.keys(declaration.sortAliases ?? {})])], default: sort.field } },
    { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'], default: sort.direction } },
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: maxLimit, default: limit } },
    { name: 'cursor', in: 'query', description: '`nextCursor` of the previous page of the same query (opaque; refused when altered or used with another query).', schema: { type: 'string', minLength: 1, maxLength: maxCursorLength } },
  ];
}

function pageSchema(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: { items: { type: 'array', items: item }, nextCursor: { type: 'string', description: 'Absent on the last page.' } },
    required: ['items'],
  };
}

function schemaNameOf(declaration: ReadModelDeclaration): string {
  return pascalCase(declaration.documentType);
}
