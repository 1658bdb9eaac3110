import type { AggregateDefinition } from '../../command/AggregateDefinition';
import type { ReadModelDeclaration } from '../../readmodel/ReadModelDeclaration';
import { COMMAND_RESULT_SCHEMA, commandPaths } from './commandOperations';
import { fixedPaths } from './fixedOperations';
import type { FixedRoutesDescription } from './fixedOperations';
import type { OpenApiDocument } from './OpenApiDocument';
import { BEARER_SCHEME, BEARER_SECURITY_SCHEME } from './operationSecurity';
import { PROBLEM_SCHEMA, problemResponseComponents } from './problemResponses';
import { readModelPaths, readModelSchemas } from './readModelOperations';

/** What the document is generated from: everything the app serves is declared here. */
export interface OpenApiSources extends FixedRoutesDescription {
  /** The aggregates commands are routed to, with their command definitions. */
  aggregates: readonly AggregateDefinition[];
  readModels: readonly ReadModelDeclaration[];
  /** @defaultValue { title: 'Nexus API', version: '1' } */
  info?: OpenApiDocument['info'];
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the command definitions (one path per
 * command, body schema derived from its parser), the read-model declarations (list, get and
 * search with their parameters) and the framework's own routes. Nothing in it is written per
 * command or per read model: declaring one is all it takes to appear here. Every error response
 * is an RFC 9457 problem; every operation but the public ones names the bearer JWT scheme.
 */
export function buildOpenApiDocument(sources: OpenApiSources): OpenApiDocument {
  const paths = { ...commandPaths(sources.aggregates), ...readModelPaths(sources.readModels), ...fixedPaths(sources) };
  const tags = new Set(Object.values(paths).flatMap((methods) => Object.values(methods).flatMap((operation) => operation.tags)));
  return {
    openapi: '3.1.0',
    info: sources.info ?? { title: 'Nexus API', version: '1' },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA, CommandResult: COMMAND_RESULT_SCHEMA, ...readModelSchemas(sources.readModels) },
      responses: problemResponseComponents(),
      securitySchemes: { [BEARER_SCHEME]: BEARER_SECURITY_SCHEME },
    },
  };
}
