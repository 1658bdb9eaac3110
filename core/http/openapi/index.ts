export { buildOpenApiDocument } from './buildOpenApiDocument';
export type { OpenApiSources } from './buildOpenApiDocument';
export type { ApiDocsAccess, FixedRoutesDescription } from './fixedOperations';
export { addApiDocsRoutes, API_DOCS_CONTENT_SECURITY_POLICY } from './apiDocsRoutes';
export { compareRoutes } from './routeCoverage';
export type { RouteCoverage, RouteMismatch } from './routeCoverage';
export { commandBodySchema } from './commandBodySchema';
export type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter, OpenApiPaths, OpenApiResponse, OpenApiMethod } from './OpenApiDocument';
export { openApiDocumentOf } from './openApiDocumentOf';
