import type { ApiDependencies } from '../createApi';
import { temporalAggregateOf } from '../temporalAggregates';
import { buildOpenApiDocument } from './buildOpenApiDocument';
import type { ApiDocsAccess } from './fixedOperations';
import type { OpenApiDocument } from './OpenApiDocument';

/**
 * The OpenAPI document of the app `createApi(deps)` builds: its commands from the command
 * service's aggregates, its read models, the aggregate types of its temporal queries.
 */
export function openApiDocumentOf(deps: ApiDependencies, settings: { apiDocs: ApiDocsAccess; maxTemporalRangeDays: number }): OpenApiDocument {
  const { history } = deps;
  const temporal = [...(history.aggregate === undefined ? [] : [history.aggregate]), ...(history.aggregates ?? [])];
  return buildOpenApiDocument({
    aggregates: deps.commands.aggregateDefinitions(),
    readModels: deps.readModels,
    temporalAggregateTypes: [...new Set(temporal.map((aggregate) => temporalAggregateOf(aggregate).segment))],
    maxTemporalRangeDays: settings.maxTemporalRangeDays,
    apiDocs: settings.apiDocs,
  });
}
